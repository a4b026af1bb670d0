"""The output check names the row and column of a non-finite result; the input check refuses a
table cell too large for the model's arithmetic, naming its data row."""

from __future__ import annotations

import numpy as np
import pytest

from vaekit.errors import DataError
from vaekit.inputs import MAX_CELL, check_magnitude
from vaekit.store.finite import NonFiniteError, check_finite, check_frame


def test_a_non_finite_entry_of_a_block_is_named_by_id_and_entry():
    mu = np.zeros((3, 2), np.float32)
    mu[2, 1] = np.inf
    with pytest.raises(NonFiniteError, match=r"id c, column mu_1: the result is inf"):
        check_finite({"id": np.array(["a", "b", "c"]), "mu": mu})


def test_rows_are_counted_from_the_batch_start_without_ids():
    with pytest.raises(NonFiniteError, match=r"row 11, column nll"):
        check_finite({"nll": np.array([1.0, np.nan]), "label": np.array([1, 2])}, first_row=10)
    check_finite({"nll": np.array([1.0, -3e38]), "text": np.array(["nan"])})


def test_an_infinity_in_a_frame_is_refused_and_a_missing_cell_passes():
    """A table's rows keep the missing cells of the data they model (written empty); an
    infinity is never a value a row can have."""
    pd = pytest.importorskip("pandas")
    check_frame(pd.DataFrame({"a": [1.5, 2.0], "b": ["x", None]}))
    check_frame(pd.DataFrame({"a": [1.5, float("nan")], "age": pd.array([3, None], dtype="Int64")}))
    with pytest.raises(NonFiniteError, match="row 1, column age"):
        check_frame(pd.DataFrame({"a": [1.5, 2.0], "age": [3.0, float("inf")]}))


def test_a_cell_beyond_the_bound_is_refused_with_its_data_row():
    check_magnitude(np.array([MAX_CELL, -MAX_CELL, np.nan]), "h", "t.csv")
    with pytest.raises(DataError, match=r"t.csv, column 'h', data row 3: 1e\+200"):
        check_magnitude(np.array([1.0, np.nan, 1e200]), "h", "t.csv")
