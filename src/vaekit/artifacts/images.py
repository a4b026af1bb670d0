"""Write image arrays as PNG files, atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from vaekit.artifacts.atomic import atomic_write


def save_png(array: np.ndarray, path: str | Path) -> None:
    """array: (H, W) or (H, W, 1|3) uint8."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    image = Image.fromarray(array)
    atomic_write(path, lambda p: image.save(p, format="PNG"))
