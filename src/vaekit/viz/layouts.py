"""Arrange batches of images for a grid: originals above reconstructions, paths between ends."""

from __future__ import annotations

import torch
from torch import Tensor


def originals_above_reconstructions(x: Tensor, recon: Tensor, ncol: int) -> Tensor:
    """x, recon: (n, C, H, W) -> (2n, C, H, W) in blocks of ``ncol``: a row of originals, then
    the row of their reconstructions, and so on (for ``make_grid(..., ncol=ncol)``)."""
    blocks = []
    for i in range(0, len(x), ncol):
        blocks += [x[i : i + ncol], recon[i : i + ncol]]
    return torch.cat(blocks)


def interpolation_rows(xa: Tensor, paths: Tensor, xb: Tensor) -> Tensor:
    """xa, xb: (P, C, H, W) endpoints, paths: (P, S, C, H, W) -> (P * (S + 2), C, H, W).

    Each row reads: the first original, the decoded path, the second original
    (for ``make_grid(..., ncol=S + 2)``).
    """
    return torch.cat([xa[:, None], paths, xb[:, None]], dim=1).flatten(0, 1)
