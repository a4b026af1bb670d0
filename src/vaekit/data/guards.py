"""What the readers refuse before they read: values too large for the transforms that follow.

Each guard is one call at the place a reader parses or opens its input, so every source gets it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vaekit.errors import DataError

# The largest magnitude of a table's number: beyond 2**53 (about 9e15) float64 no longer holds
# every integer, and a cell scaled by its column's training spread must stay far inside float32
# (3.4e38) once squared by a Gaussian log-density; one 1e200 also overflows the column's
# standard deviation. Data in such units need rescaling (thousands, a log scale) first.
MAX_CELL = 1e15


def check_magnitude(values: Any, column: object, where: str) -> None:
    """DataError naming the first cell of ``values`` ((N,) float, NaN = missing) whose magnitude
    is above :data:`MAX_CELL`."""
    a = np.asarray(values, dtype=np.float64)
    big = np.abs(np.nan_to_num(a)) > MAX_CELL
    if big.any():
        i = int(big.argmax())
        raise DataError(f"{where}, column {column!r}, data row {i + 1}: {a[i]:.6g} is beyond "
                        f"+-{MAX_CELL:.0e}, too large for the model's arithmetic; rescale the "
                        "column (thousands, a log scale)")
