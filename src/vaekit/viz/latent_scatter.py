"""A scatter plot of 2-D latent points, colored by label when there are labels."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from vaekit.viz.figure import new_figure

AXIS_NAMES = {"identity": ("z1", "z2"), "pca": ("PC 1", "PC 2"), "tsne": ("t-SNE 1", "t-SNE 2")}


def latent_map_figure(points: Tensor, labels: Tensor | None = None,
                      classes: Sequence[str] | None = None, method: str = "identity",
                      title: str = "") -> Figure:
    """points: (N, 2); labels: (N,) int or None; a 720x600 px figure.

    Up to 20 classes get a legend with their names; more get a color bar of label indices.
    """
    fig = new_figure(720, 600)
    ax = fig.add_axes((0.09, 0.08, 0.68 if labels is not None else 0.86, 0.82))
    xy = points.detach().cpu().numpy()
    size = float(np.clip(8000 / max(len(xy), 1), 3, 25))
    if labels is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=size, alpha=0.6, linewidths=0, color="tab:blue")
    else:
        lab = labels.detach().cpu().numpy().astype(int)
        n_classes = max(int(lab.max()) + 1, len(classes or []))
        if n_classes <= 20:
            _legend_scatter(ax, xy, lab, n_classes, classes, size)
        else:
            sc = ax.scatter(xy[:, 0], xy[:, 1], c=lab, s=size, alpha=0.6, linewidths=0,
                            cmap="viridis")
            fig.colorbar(sc, ax=ax, label="label")
    names = AXIS_NAMES.get(method, ("axis 1", "axis 2"))
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def _legend_scatter(ax: Axes, xy: np.ndarray, lab: np.ndarray, n_classes: int,
                    classes: Sequence[str] | None, size: float) -> None:
    """One scatter per class (so the legend names them), in a qualitative palette."""
    cmap = matplotlib.colormaps["tab10" if n_classes <= 10 else "tab20"]
    for k in range(n_classes):
        mask = lab == k
        if not mask.any():
            continue
        name = classes[k] if classes and k < len(classes) else str(k)
        ax.scatter(xy[mask, 0], xy[mask, 1], s=size, alpha=0.6, linewidths=0,
                   color=cmap(k % cmap.N), label=name)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, markerscale=8 / size ** 0.5,
              frameon=False)
