"""``vaekit impute`` on files: read the gaps, fill them with the model, give back SRC's units."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from vaekit.artifacts.apply_data import prepare_examples, source_examples
from vaekit.artifacts.run_context import RunContext
from vaekit.errors import DataError
from vaekit.explore.impute import impute


def read_mask(path: Path) -> np.ndarray:
    """A boolean mask from an .npy file (nonzero = missing); DataError when unreadable."""
    try:
        a = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"--mask {path}: no such file") from None
    except (ValueError, OSError, EOFError) as e:
        raise DataError(f"--mask {path}: not a readable .npy array ({e})") from None
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_):
        raise DataError(f"--mask {path}: dtype {a.dtype} is not numeric or boolean")
    return a != 0


def impute_examples(ctx: RunContext, source: str, mask: np.ndarray | None, draw: bool,
                    rounds: int, seed: int, batch_size: int
                    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(completed examples in SRC's dtype and units, the missing mask, ids). Missing = NaN in
    SRC, or ``mask`` (SRC's shape, or one example's shape for every example)."""
    ex = source_examples(ctx, source, allow_missing=True)
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
    p = prepare_examples(ctx, replace(ex, x=x))
    g = torch.Generator(device=ctx.model.device).manual_seed(seed)
    done = impute(ctx.model, p.x.to(ctx.model.device),
                  None if p.y is None else p.y.to(ctx.model.device), rounds, draw, g,
                  batch_size).cpu()
    if not ctx.is_image:
        mean, std = ctx.column_scale()
        done = done * std + mean
    out = torch.where(missing, done, x)  # observed values exactly as given
    if ex.x.dtype == torch.uint8:
        values = torch.where(missing, (out * 255).round().clamp(0, 255), ex.x.float())
        return values.to(torch.uint8).numpy(), missing.numpy(), ex.ids
    return out.numpy(), missing.numpy(), ex.ids
