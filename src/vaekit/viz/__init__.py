"""Pictures of a model: image grids (arrays in, arrays out) and matplotlib figures.

For notebooks: ``from vaekit.viz import make_grid, training_curves, latent_map_figure,
traversal_figure, column_error_figure``; figures are ``matplotlib.figure.Figure`` objects (no
pyplot state; show one in Jupyter by leaving it as a cell's value). Nothing here writes files.
Names are loaded on first use, so importing the package does not import matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "make_grid": "grid", "auto_scale": "grid",
    "training_curves": "curves", "latent_map_figure": "latent_scatter",
    "traversal_figure": "traversal", "column_error_figure": "columns",
    "originals_above_reconstructions": "layouts", "interpolation_rows": "layouts",
    "figure_png": "figure", "png_bytes": "figure",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'vaekit.viz' has no attribute {name!r}")
    return getattr(importlib.import_module(f"vaekit.viz.{_WHERE[name]}"), name)
