"""Decoder output -> PNG bytes at the data's own size and mode (L for grey, RGB for colour)."""

from __future__ import annotations

import base64

import numpy as np
from torch import Tensor

from vaekit.viz.figure import png_bytes

MODES = {1: "L", 3: "RGB"}


def image_mode(shape: tuple[int, ...]) -> str:
    """PIL mode of one example of shape (C, H, W): ``L`` or ``RGB``; ValueError otherwise."""
    if len(shape) != 3 or shape[0] not in MODES:
        raise ValueError(f"no image mode for examples of shape {tuple(shape)}")
    return MODES[shape[0]]


def to_uint8(images: Tensor) -> np.ndarray:
    """(N, C, H, W) floats in [0, 1] (clipped; NaN becomes 0) -> (N, H, W, C) uint8."""
    x = images.detach().float().cpu().nan_to_num(0.0).clamp(0, 1)
    return (x.permute(0, 2, 3, 1).numpy() * 255).round().astype(np.uint8)


def pngs(images: Tensor) -> list[bytes]:
    """(N, C, H, W) in [0, 1] -> N PNG files as bytes."""
    return [png_bytes(a) for a in to_uint8(images)]


def b64(data: bytes) -> str:
    """Bytes as base64 text (what the JSON answers carry; the page prefixes data:image/png)."""
    return base64.b64encode(data).decode("ascii")
