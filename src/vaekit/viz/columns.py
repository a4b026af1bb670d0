"""Per-column reconstruction error of a tabular run, as a bar chart."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from vaekit.viz.figure import new_figure


def column_error_figure(columns: Sequence[str], relative: Sequence[float], labels: Sequence[str],
                        title: str = "") -> Figure:
    """One bar per column: ``relative`` error, comparable across columns (RMSE / std for numbers,
    where 1 is no better than the mean; the error rate for categories), annotated with
    ``labels`` (the error in the column's own terms). 700 px wide, 22 px per column."""
    d = len(columns)
    fig = new_figure(700, 90 + 22 * d)
    ax = fig.add_axes((0.28, 60 / (90 + 22 * d), 0.62, (22 * d) / (90 + 22 * d)))
    rel = np.asarray(relative, dtype=float)
    ypos = list(range(d))[::-1]
    ax.barh(ypos, rel, color="tab:blue", height=0.7)
    for y, value, text in zip(ypos, rel, labels, strict=True):
        ax.text(value, y, f" {text}", va="center", fontsize=7)
    ax.set_yticks(ypos, [str(c) for c in columns], fontsize=8)
    ax.set_ylim(-0.6, d - 0.4)
    ax.set_xlim(0, max(1.0, float(rel.max()) * 1.25) if d else 1.0)
    ax.set_xlabel("RMS error / column std (numbers), error rate (categories, booleans)",
                  fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=9, y=1 - 8 / (90 + 22 * d), va="top")
    return fig
