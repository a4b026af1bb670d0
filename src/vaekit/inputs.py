"""What the readers refuse before they read: files that are not files (a FIFO would hang), cells
that are not numbers, text or booleans, and values too large for the transforms that follow.

Each guard is one call at the place a reader parses or opens its input, so every source gets it;
the module is light (numpy only inside the checks of values), so the CLI can use it as it parses.
"""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path
from typing import Any

from vaekit.errors import DataError

# The largest magnitude of a table's number: beyond 2**53 (about 9e15) float64 no longer holds
# every integer, and a cell scaled by its column's training spread must stay far inside float32
# (3.4e38) once squared by a Gaussian log-density; one 1e200 also overflows the column's
# standard deviation. Data in such units need rescaling (thousands, a log scale) first.
MAX_CELL = 1e15
# Cells of a table that no column type reads (and numpy arrays).
_NOT_CELLS = (list, tuple, dict, bytes, bytearray, datetime.date, datetime.time)


def check_magnitude(values: Any, column: object, where: str) -> None:
    """DataError naming the first cell of ``values`` ((N,) float, NaN = missing) whose magnitude
    is above :data:`MAX_CELL`."""
    import numpy as np

    a = np.asarray(values, dtype=np.float64)
    big = np.abs(np.nan_to_num(a)) > MAX_CELL
    if big.any():
        i = int(big.argmax())
        raise DataError(f"{where}, column {column!r}, data row {i + 1}: {a[i]:.6g} is beyond "
                        f"+-{MAX_CELL:.0e}, too large for the model's arithmetic; rescale the "
                        "column (thousands, a log scale)")


def special_file(path: str | Path) -> str | None:
    """What ``path`` is when it exists and is neither a regular file nor a folder (a FIFO, a
    device, a socket: reading one can wait forever); None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device")


def check_regular(path: str | Path) -> None:
    """DataError when ``path`` is a FIFO, a device or a socket, before anything opens it."""
    kind = special_file(path)
    if kind is not None:
        raise DataError(f"{path} is {kind}, not a file: give a regular file")


def check_cell_types(frame: Any, path: object) -> None:
    """DataError naming the first column of a table read from ``path`` whose cells are not
    numbers, text or booleans (lists, structs, maps, bytes, dates: Parquet can hold them)."""
    import numpy as np

    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "mM":
            raise DataError(f"{path}, column {name!r}: dates or times ({column.dtype}); vaekit "
                            "reads numbers, text and booleans: convert or remove the column")
        if column.dtype.kind != "O":
            continue
        odd = next((v for v in column if isinstance(v, (*_NOT_CELLS, np.ndarray))), None)
        if odd is not None:
            raise DataError(f"{path}, column {name!r}: cells of type {type(odd).__name__}; vaekit "
                            "reads numbers, text and booleans: flatten or remove the column")
