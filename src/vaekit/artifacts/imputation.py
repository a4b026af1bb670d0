"""``vaekit impute`` on files: read the gaps, fill them with the model, give back SRC's units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vaekit.artifacts.apply_data import Prepared, prepare_examples, source_examples
from vaekit.artifacts.run_context import RunContext
from vaekit.errors import DataError, UserError
from vaekit.explore.impute import impute
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
    else an array); ``missing``: where the values were filled; ``ids``: one per example."""

    values: Any
    missing: np.ndarray
    ids: Sequence[str]

    @property
    def is_table(self) -> bool:
        return not isinstance(self.values, np.ndarray)


def _fill(ctx: RunContext, p: Prepared, draw: bool, rounds: int, seed: int,
          batch_size: int) -> torch.Tensor:
    device = ctx.model.device
    g = torch.Generator(device=device).manual_seed(seed)
    return impute(ctx.model, p.x.to(device), None if p.y is None else p.y.to(device), rounds,
                  draw, g, batch_size).cpu()


def impute_examples(ctx: RunContext, source: str, mask: np.ndarray | None, draw: bool,
                    rounds: int, seed: int, batch_size: int) -> Imputed:
    """Fill SRC's missing values: NaN in an array file or ``mask`` (SRC's shape, or one
    example's shape for every example), the empty cells of a table file."""
    ex = source_examples(ctx, source, allow_missing=True)
    if ex.frame is not None:
        if mask is not None:
            raise UserError("a table's missing values are its empty cells; --mask is for arrays")
        done = ctx.codec.decode(_fill(ctx, prepare_examples(ctx, ex), draw, rounds, seed,
                                      batch_size))
        frame = ex.frame[ctx.codec.columns]
        missing = frame.isna().to_numpy()
        for name in ctx.codec.columns:  # observed cells exactly as read, in the run's dtypes
            seen = frame[name].notna()
            done.loc[seen, name] = frame.loc[seen, name].astype(done[name].dtype)
        return Imputed(done, missing, ex.ids)
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
    done = _fill(ctx, prepare_examples(ctx, replace(ex, x=x)), draw, rounds, seed, batch_size)
    if not ctx.is_image:  # the model's rows back to the columns' units
        done = torch.from_numpy(ctx.codec.decode(done).to_numpy(np.float64)).to(x.dtype)
    out = torch.where(missing, done, x)  # observed values exactly as given
    if ex.x.dtype == torch.uint8:
        values = torch.where(missing, (out * 255).round().clamp(0, 255), ex.x.float())
        return Imputed(values.to(torch.uint8).numpy(), missing.numpy(), ex.ids)
    return Imputed(out.numpy(), missing.numpy(), ex.ids)
