"""``vaekit impute`` on files: read the gaps, fill them with the model, give back SRC's units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vaekit.artifacts.apply_data import prepare_examples, source_examples
from vaekit.artifacts.run_context import RunContext
from vaekit.data.table_types import pandas
from vaekit.errors import DataError, UserError
from vaekit.eval.data import Split
from vaekit.explore.impute import Imputation, impute
from vaekit.store.paths import protect_input


def read_mask(path: Path) -> np.ndarray:
    """A boolean mask from an .npy file (nonzero = missing); DataError when unreadable."""
    protect_input(path)
    try:
        a = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"--mask {path}: no such file") from None
    except (ValueError, OSError, EOFError) as e:
        raise DataError(f"--mask {path}: not a readable .npy array ({e})") from None
    if not isinstance(a, np.ndarray):  # an .npz archive
        a.close()
        raise DataError(f"--mask {path}: an .npz archive; give an .npy array of SRC's shape")
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_):
        raise DataError(f"--mask {path}: dtype {a.dtype} is not numeric or boolean")
    return a != 0


@dataclass
class Imputed:
    """``values``: the completed examples in SRC's dtype and units (a DataFrame for a table file,
    with a first column ``draw`` when there are several draws; else an array, (N, M, ...) with
    several draws); ``missing``: where the values were filled; ``ids``: one per example;
    ``ess``: the effective sample size of each example's importance draws (None when the run's
    posterior is deterministic and rounds filled it)."""

    values: Any
    missing: np.ndarray
    ids: Sequence[str]
    ess: np.ndarray | None = None

    @property
    def is_table(self) -> bool:
        return not isinstance(self.values, np.ndarray)


def _fill(ctx: RunContext, p: Split, how: How) -> Imputation:
    device = ctx.model.device
    g = torch.Generator(device=device).manual_seed(how.seed)
    done = impute(ctx.model, p.x.to(device), None if p.y is None else p.y.to(device), how.draws,
                  how.method, how.k, how.rounds, g, how.batch_size)
    return Imputation(done.x.cpu(), done.ess)


@dataclass
class How:
    """The imputation asked for: ``method`` sample or mean, ``draws`` completions, ``k``
    importance draws, ``rounds`` for a deterministic posterior, ``seed``, ``batch_size``."""

    method: str = "mean"
    draws: int = 1
    k: int = 256
    rounds: int = 20
    seed: int = 0
    batch_size: int = 500


def completed(ctx: RunContext, frame: Any, done: Imputation) -> list[Any]:
    """One DataFrame per draw of ``done``: ``frame``'s rows (the run's columns, parsed, indexed
    from 0) with the gaps filled and the observed cells as read, in the run's dtypes; a first
    column ``draw`` when there are several draws."""
    written = ctx.codec.written(frame)
    frames = []
    for m, rows in enumerate(done.x):
        out = ctx.codec.decode(rows, missing=False)  # every cell a value: the gaps are filled
        for name in ctx.codec.columns:  # observed cells exactly as read, in the run's dtypes
            seen = frame[name].notna()
            out.loc[seen, name] = written.loc[seen, name]
        if len(done.x) > 1:
            out.insert(0, "draw", m)
        frames.append(out)
    return frames


def _table(ctx: RunContext, ex: Any, done: Imputation) -> Imputed:
    frame = ex.frame[ctx.codec.columns]
    frames = completed(ctx, frame, done)
    values = pandas().concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return Imputed(values, frame.isna().to_numpy(), ex.ids,
                   None if done.ess is None else done.ess.numpy())


def impute_table(ctx: RunContext, ex: Any, how: How) -> Imputed:
    """Fill the missing cells of a table's examples ``ex`` (its frame and the rows the model
    sees, NaN where unknown): the completed frame, the observed cells as written."""
    return _table(ctx, ex, _fill(ctx, prepare_examples(ctx, ex), how))


def impute_examples(ctx: RunContext, source: str, mask: np.ndarray | None, how: How) -> Imputed:
    """Fill SRC's missing values: NaN in an array file or ``mask`` (SRC's shape, or one
    example's shape for every example), the empty cells of a table file."""
    ex = source_examples(ctx, source, allow_missing=True)
    if ex.frame is not None:
        if mask is not None:
            raise UserError("a table's missing values are its empty cells; --mask is for arrays")
        return impute_table(ctx, ex, how)
    x = ex.x.float() if ex.x.dtype != torch.uint8 else ex.x.float().div(255)
    if mask is not None:
        m = torch.from_numpy(mask)
        if tuple(m.shape) == tuple(x.shape[1:]):
            m = m.expand_as(x)
        if tuple(m.shape) != tuple(x.shape):
            raise DataError(f"--mask has shape {tuple(mask.shape)}, but SRC holds "
                            f"{tuple(x.shape)} (or give one example's shape {tuple(x.shape[1:])})")
        x = x.masked_fill(m, float("nan"))
    missing = torch.isnan(x)
    done = _fill(ctx, prepare_examples(ctx, replace(ex, x=x)), how)
    filled = done.x
    if ctx.modality.has_columns:  # the model's rows back to the columns' units
        filled = torch.stack([torch.from_numpy(ctx.codec.decode(d, missing=False)
                                               .to_numpy(np.float64)).to(x.dtype) for d in filled])
    out = torch.where(missing, filled, x)  # observed values exactly as given
    if ex.x.dtype == torch.uint8:
        out = torch.where(missing, (out * 255).round().clamp(0, 255), ex.x.float()).to(torch.uint8)
    values = out[0] if len(out) == 1 else out.transpose(0, 1)  # (N, M, ...): draws per example
    return Imputed(values.numpy(), missing.numpy(), ex.ids,
                   None if done.ess is None else done.ess.numpy())
