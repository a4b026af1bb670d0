"""Write image arrays as PNG files, atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vaekit.store.atomic import write_bytes
from vaekit.viz.figure import png_bytes


def save_png(array: np.ndarray, path: str | Path) -> None:
    """array: (H, W) or (H, W, 1|3) uint8."""
    write_bytes(path, png_bytes(array))
