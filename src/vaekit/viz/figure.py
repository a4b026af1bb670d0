"""Matplotlib figures without pyplot: no global state, no GUI backend, exact pixel sizes."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

matplotlib.use("Agg")  # never open a window, even when imported from a desktop session

DPI = 100


def new_figure(width_px: int, height_px: int) -> Figure:
    """A figure that renders to exactly width_px x height_px pixels (at ``DPI``)."""
    return Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, at its own size (no tight cropping, so sizes stay exact)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def png_bytes(array: np.ndarray) -> bytes:
    """An image array (H, W) or (H, W, 1|3) uint8 as PNG bytes."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()
