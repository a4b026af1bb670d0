"""A traversal grid with a label per row: the dimension, its KL, and whether it is inactive."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from torch import Tensor

from vaekit.viz.figure import new_figure
from vaekit.viz.grid import make_grid

LABEL_W = 130  # pixels left of the grid for the row labels
HEADER_H = 20  # pixels above the grid for the column caption


def traversal_size(rows: int, steps: int, height: int, width: int, scale: int) -> tuple[int, int]:
    """(width, height) in pixels of ``traversal_figure`` for images of height x width."""
    return (LABEL_W + steps * (width * scale + 1) + 1,
            HEADER_H + rows * (height * scale + 1) + 1)


def traversal_figure(images: Tensor, dims: Sequence[int], kl: Sequence[float],
                     active: Sequence[bool], span: float, scale: int = 1,
                     stat: str = "KL") -> Figure:
    """images: (R, S, C, H, W) decoded traversals in [0, 1] (clipped), one row per latent dim.

    Row r is labelled ``z{dims[r]}`` with ``kl[r]`` (nats, mean held-out KL of that dimension;
    ``stat`` names another statistic, e.g. "var"); inactive rows are labelled in grey with the
    word "inactive". The figure is exactly
    ``traversal_size(R, S, H, W, scale)`` pixels: the grid is drawn unresampled.
    """
    r, s, c, h, w = images.shape
    grid = make_grid(images.flatten(0, 1), ncol=s, scale=scale)
    width, height = traversal_size(r, s, h, w, scale)
    fig = new_figure(width, height)
    fig.figimage(grid[:, :, 0] if c == 1 else grid, xo=LABEL_W, yo=0, cmap="gray", vmin=0,
                 vmax=255, origin="upper")
    cell = h * scale + 1
    for row, (d, k, a) in enumerate(zip(dims, kl, active, strict=True)):
        y_px = HEADER_H + 1 + row * cell + (cell - 1) / 2
        text = f"z{d}  {stat} {k:.2f}" + ("" if a else "\ninactive")
        fig.text((LABEL_W - 6) / width, 1 - y_px / height, text, ha="right", va="center",
                 fontsize=7.5 if cell >= 24 else 6, color="black" if a else "0.55",
                 linespacing=1.0)
    header = "dim  KL (nats)" if stat == "KL" else f"dim  {stat}"
    fig.text((LABEL_W - 6) / width, 1 - (HEADER_H / 2) / height, header, ha="right",
             va="center", fontsize=7)
    fig.text((LABEL_W + (width - LABEL_W) / 2) / width, 1 - (HEADER_H / 2) / height,
             f"z_d over prior mean \u00b1 {span:g} sd, others fixed", ha="center", va="center",
             fontsize=7)
    return fig
