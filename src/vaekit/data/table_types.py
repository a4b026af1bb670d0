"""Reading a table file and the type of each column: inferred, overridable, parsed strictly.

Types: ``continuous`` (real numbers), ``integer``, ``datetime`` (dates and times, modelled as
seconds since 1970 and written back as datetimes), ``boolean`` (true/false, yes/no or 0/1),
``categorical`` (any values, one-hot), ``label`` (the class labels of the rows, not modelled) and
``drop`` (left out). A CSV is read as text, so every cell is parsed by the type its column is
given and a cell that does not parse is a DataError naming the row; Parquet columns keep their
own types. Missing cells (empty, NA, NaN, null) are None/NaN and stay missing.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vaekit.errors import DataError
from vaekit.inputs import check_cell_types, check_magnitude, check_regular

if TYPE_CHECKING:
    import pandas as pd

TYPES = ("continuous", "integer", "datetime", "boolean", "categorical", "label", "drop")
MODELLED = ("continuous", "integer", "datetime", "boolean", "categorical")
LABEL_NAMES = ("label", "class", "target")
MISSING = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]
TRUE, FALSE = ("true", "yes", "1", "1.0"), ("false", "no", "0", "0.0")
# A text column with more distinct values than this (and than half its rows) is an identifier or
# free text: inferred as drop, shown as such (data.columns: {name: categorical} keeps it). So is
# a column of at least ID_ROWS cells that are all different: text, or integers that count up by
# one (a row number).
MAX_CATEGORIES = 1000
ID_ROWS = 20
# A cell is read as a date or time only when it has a date's or a time's shape (2024-05-01,
# 01/05/2024, 12:30): "10-20" (an age band) stays a category.
DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}:\d{2}")


def pandas() -> Any:
    """The pandas module; a DataError saying how to install it when it is missing."""
    try:
        import pandas as pd
    except ImportError:
        raise DataError("tables need pandas and pyarrow: pip install 'vaekit[tables]'") from None
    return pd


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (every cell as text, missing cells NaN) or Parquet file as a DataFrame."""
    pd = pandas()
    suffix = path.suffix.lower()
    check_regular(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=MISSING,
                             encoding="utf-8", skipinitialspace=True)
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except Exception as e:  # pandas and pyarrow raise many kinds for a malformed file
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DataError(f"{path}: cannot read it as a {suffix.lstrip('.') or 'csv'} table "
                        f"({first})") from None
    df.columns = [str(c).strip() for c in df.columns]
    check_cell_types(df, path)
    if df.shape[1] == 0 or df.shape[0] == 0:
        raise DataError(f"{path}: needs a header row and at least one data row")
    if len(set(df.columns)) != len(df.columns):
        raise DataError(f"{path}: repeated column names in the header")
    return df


def _numbers(s: pd.Series) -> pd.Series:
    """float64 values; NaN where missing or where a cell is not a number."""
    pd = pandas()
    if s.dtype == bool:
        return s.astype("float64")
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _bools(s: pd.Series) -> pd.Series:
    """1.0/0.0 for the true/false tokens, NaN where missing or not one of them."""
    pd = pandas()
    if s.dtype != object:  # one type of value: each distinct value is read once
        codes, values = pd.factorize(s, use_na_sentinel=True)
        table = np.array([_bool_of(v) for v in values] + [math.nan], dtype="float64")
        return pd.Series(table[codes], index=s.index, dtype="float64")
    # Cell by cell over plain objects (1, 1.0 and True are equal keys but read otherwise): a
    # nullable string column maps a missing cell to pd.NA, which float64 cannot hold.
    return pd.Series([_bool_of(v) for v in s.astype(object)], index=s.index, dtype="float64")


def _bool_of(v: Any) -> float:
    """1.0/0.0 for a true/false token, NaN for a missing cell or any other value."""
    if v is None or v is pandas().NA or (isinstance(v, float) and math.isnan(v)):
        return math.nan
    text = str(v).strip().lower()
    return 1.0 if text in TRUE else 0.0 if text in FALSE else math.nan


def infer_type(s: pd.Series) -> str:
    """The type a column's present cells fit best (it has at least one present cell)."""
    present = s[s.notna()]
    if s.dtype == bool or _bools(present).notna().all():
        return "boolean"
    numbers = _numbers(present)
    distinct = present.nunique()
    unique = distinct == len(present) >= ID_ROWS
    if numbers.notna().all():
        if not bool((numbers == numbers.round()).all()):
            return "continuous"
        counts_up = unique and bool((numbers.sort_values().diff().iloc[1:] == 1).all())
        return "drop" if counts_up else "integer"
    if _datetimes(present).notna().all():
        return "datetime"
    if unique or (distinct > MAX_CATEGORIES and distinct > len(present) / 2):
        return "drop"
    return "categorical"


def _datetimes(s: pd.Series) -> pd.Series:
    """Seconds since 1970-01-01 (UTC) as float64; NaN where missing or not a date/time."""
    pd = pandas()
    if pd.api.types.is_float_dtype(s):
        return s.astype("float64")  # already seconds (a parsed column read again)
    if pd.api.types.is_datetime64_any_dtype(s):
        t = s
    else:
        text = s.astype(object).where(s.notna(), None)
        looks = text.map(lambda v: v is not None and DATE_LIKE.search(str(v)) is not None)
        if not bool(looks[s.notna()].all()):
            return pd.Series(math.nan, index=s.index, dtype="float64")
        import warnings

        with warnings.catch_warnings():  # "could not infer format": parsed cell by cell
            warnings.simplefilter("ignore", UserWarning)
            t = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    seconds = (t - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)
    return seconds.astype("float64")


def column_types(df: pd.DataFrame, overrides: dict[str, str], path: Path) -> dict[str, str]:
    """Each column's type: ``overrides`` (data.columns) win over inference; a column named
    label/class/target is the label unless overridden. DataError for an unknown column, type or
    an all-missing column that is not dropped."""
    for name, kind in overrides.items():
        if name not in df.columns:
            raise DataError(f"data.columns: no column {name!r} in {path} (columns: "
                            f"{', '.join(df.columns)})")
        if kind not in TYPES:
            raise DataError(f"data.columns.{name}: unknown type {kind!r} (valid: {', '.join(TYPES)})")
    if sum(overrides.get(c) == "label" for c in df.columns) > 1:
        raise DataError("data.columns: at most one column can be the label")
    named_label = any(v == "label" for v in overrides.values())
    types: dict[str, str] = {}
    for name in df.columns:
        if name in overrides:
            kind = overrides[name]
        elif not named_label and name.lower() in LABEL_NAMES and "label" not in types.values():
            kind = "label"
        elif df[name].isna().all():
            raise DataError(f"{path}, column {name!r}: every cell is missing; leave it out with "
                            f"data.columns: {{{name}: drop}}")
        else:
            kind = infer_type(df[name])
        if kind != "drop" and df[name].isna().all():
            raise DataError(f"{path}, column {name!r}: every cell is missing")
        types[name] = kind
    if not any(k in MODELLED for k in types.values()):
        raise DataError(f"{path}: no column left to model (types: {types})")
    return types


def _bad_cell(s: pd.Series, parsed: pd.Series, what: str, where: str) -> None:
    bad = s.notna() & parsed.isna()
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise DataError(f"{where}, column {s.name!r}, data row {i + 1}: {s.iloc[i]!r} is not "
                        f"{what}; fix the cell or set data.columns: {{{s.name}: categorical}}")


def parse_column(s: pd.Series, kind: str, where: str) -> pd.Series:
    """The column as its type: float64 (continuous, integer, boolean as 0/1, NaN = missing) or
    text with missing cells None (categorical, label). DataError naming the first bad cell."""
    if kind in ("continuous", "integer"):
        values = _numbers(s)
        _bad_cell(s, values, "a number", where)
        if not bool(values[values.notna()].abs().lt(math.inf).all()):
            raise DataError(f"{where}, column {s.name!r}: infinite values")
        check_magnitude(values, s.name, where)
        if kind == "integer":
            frac = values.notna() & (values != values.round())
            _bad_cell(s, values.where(~frac), "an integer", where)
        return values
    if kind == "datetime":
        values = _datetimes(s)
        _bad_cell(s, values, "a date or time", where)
        return values
    if kind == "boolean":
        values = _bools(s)
        _bad_cell(s, values, "true/false, yes/no or 0/1", where)
        return values
    return s.map(_text, na_action="ignore").astype(object).where(s.notna(), None)


def _text(v: Any) -> str:
    """A category as text: 3.0 read from Parquet and "3" read from CSV are the same category."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
