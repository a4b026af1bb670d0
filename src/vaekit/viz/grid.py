"""Tile a batch of images into one grid image."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor


def make_grid(images: Tensor, ncol: int | None = None, pad: int = 1, scale: int = 1) -> np.ndarray:
    """images: (N, C, H, W) in [0, 1] (clipped) -> (rows*(H+pad)+pad, ..., C) uint8, C in {1, 3}.

    ``scale`` repeats pixels so tiny images (8x8) stay visible; ``ncol`` defaults to ~sqrt(N).
    """
    if images.ndim != 4:
        raise ValueError(f"expected (N, C, H, W) images, got shape {tuple(images.shape)}")
    x = images.detach().float().clamp(0, 1).cpu()
    if scale > 1:
        x = x.repeat_interleave(scale, dim=2).repeat_interleave(scale, dim=3)
    n, c, h, w = x.shape
    ncol = ncol or math.ceil(math.sqrt(n))
    nrow = math.ceil(n / ncol)
    grid = torch.ones(c, nrow * (h + pad) + pad, ncol * (w + pad) + pad) * 0.5
    for i in range(n):
        r, col = divmod(i, ncol)
        top, left = pad + r * (h + pad), pad + col * (w + pad)
        grid[:, top : top + h, left : left + w] = x[i]
    return (grid.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)


def auto_scale(height: int, target: int = 28) -> int:
    """An integer upscale factor that makes images at least ``target`` pixels high."""
    return max(1, math.ceil(target / height))
