"""The one check every number a command writes passes on its way out: NaN or an infinity is an
error naming its row and column, never a file or a printed line that holds it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vaekit.errors import UserError


class NonFiniteError(UserError):
    """A result that is NaN or infinite."""


def check_finite(columns: Mapping[str, Any], first_row: int = 0) -> None:
    """NonFiniteError naming the first NaN or infinite number in ``columns`` (each (N,) or
    (N, W); a block ``mu`` names its entries ``mu_0`` ..). Rows are named by the ``id`` column
    when there is one, else counted from ``first_row``; text and integer columns pass."""
    ids = columns.get("id")
    for name, values in columns.items():
        a = np.asarray(values)
        if a.dtype.kind not in "fc" or a.size == 0:
            continue
        flat = a.reshape(len(a), -1)
        bad = ~np.isfinite(flat)
        if bad.any():
            i, j = (int(k) for k in np.argwhere(bad)[0])
            row = f"id {ids[i]}" if ids is not None else f"row {first_row + i}"
            column = name if a.ndim == 1 else f"{name}_{j}"
            raise NonFiniteError(f"{row}, column {column}: the result is {flat[i, j]}, not a "
                                 "finite number; nothing was written (check that row's values)")


def check_frame(frame: Any) -> None:
    """An infinity in a DataFrame's numeric columns is a NonFiniteError naming its row and
    column. A NaN there is a missing cell, written as an empty one: a table's rows keep the
    missing cells of the data they model (table cells too large for the model's transforms are
    refused where the data are read, so no NaN comes from an overflow)."""
    numeric = frame.select_dtypes(include="number")
    check_finite({c: np.nan_to_num(numeric[c].to_numpy(dtype=np.float64, na_value=np.nan),
                                   nan=0.0, posinf=np.inf, neginf=-np.inf)
                  for c in numeric.columns})
