"""Conditional-sampling fidelity: rows a model draws under a condition on a table's target,
compared with the real holdout rows that meet it.

The conditions (``conditions``): for a categorical target, ``target=c`` for each of its (at most
three) most frequent training classes; for a numeric one, ``target>=m`` and ``target<m`` about
its training median m. For each, a model draws as many rows as the holdout has rows meeting it
(at least ``MIN_ROWS``); scored on that subset with ``table_metrics``' column-shape and
pair-trend error (%), and the share of drawn rows that meet the condition. A model with no
conditional sampler draws plain rows and keeps those that meet it (``by_rejection``), up to
``MAX_DRAWS`` times as many as it needs; ``drawn`` says how many it drew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks import table_metrics
from benchmarks.table_data import conform, numeric_columns

CLASSES = 3  # the most frequent classes of a categorical target conditioned on
MIN_ROWS = 50  # rows drawn per condition at least
MAX_DRAWS = 50  # plain rows drawn per row wanted at most, by rejection


@dataclass(frozen=True)
class Condition:
    """``column op value``: op ``=`` with a category, or ``>=`` / ``<`` with a number."""

    column: str
    op: str
    value: Any

    @property
    def text(self) -> str:
        """The clause as ``vaekit rows --given`` takes it (``union=yes``, ``wage>=5.7``)."""
        return f"{self.column}{self.op}{self.value}"

    def holds(self, df: Any) -> np.ndarray:
        """(N,) bool: the rows of ``df`` that meet it (a missing cell meets none)."""
        col = df[self.column]
        if self.op == "=":
            return (col.astype(object) == self.value).to_numpy(bool)
        v = col.to_numpy(float)
        with np.errstate(invalid="ignore"):
            return v >= self.value if self.op == ">=" else v < self.value


def conditions(train: Any, target: str) -> list[Condition]:
    """The conditions on ``target``: its ``CLASSES`` most frequent training classes, or above
    and below its training median."""
    if target in set(numeric_columns(train)):
        m = float(train[target].median())
        return [Condition(target, ">=", m), Condition(target, "<", m)]
    top = train[target].value_counts().index[:CLASSES]
    return [Condition(target, "=", str(c)) for c in top]


def by_rejection(draw: Callable[[int, int], Any], cond: Condition, n: int,
                 seed: int = 0) -> tuple[Any, int]:
    """``n`` rows meeting ``cond`` from ``draw(m, seed)`` (m plain rows), kept in the order
    drawn; fewer when ``MAX_DRAWS * n`` draws did not give them. Returns (rows, rows drawn)."""
    import pandas as pd

    kept, drawn, step = [], 0, 0
    while sum(len(k) for k in kept) < n and drawn < MAX_DRAWS * n:
        m = max(n, 256)
        rows = draw(m, seed + step)
        drawn, step = drawn + len(rows), step + 1
        kept.append(rows[cond.holds(rows)])
    return pd.concat(kept, ignore_index=True).iloc[:n], drawn


def fidelity(real: Any, fake: Any, cond: Condition) -> dict[str, Any]:
    """Column-shape and pair-trend error (%) of ``fake`` against ``real`` (the real rows that
    meet ``cond``, ``conform``-ed), and ``met``, the share of ``fake``'s rows that meet it."""
    fake = conform(fake, real)
    if len(fake) == 0:
        return {"rows": 0, "met": 0.0, "shape_error": None, "trend_error": None}
    return {"rows": len(fake), "met": float(cond.holds(fake).mean()),
            "shape_error": table_metrics.shape_error(real, fake),
            "trend_error": table_metrics.trend_error(real, fake)}


def evaluate(given: Callable[[Condition, int, int], tuple[Any, int]], train: Any,
             holdout: Any, target: str, seed: int = 0) -> dict[str, Any]:
    """Each condition's fidelity of the rows ``given(cond, n, seed)`` draws (it returns the rows
    and how many it drew), and their means over the conditions: ``shape_error``,
    ``trend_error``, ``met``."""
    out: dict[str, Any] = {"conditions": {}}
    for cond in conditions(train, target):
        real = holdout[cond.holds(holdout)].reset_index(drop=True)
        n = max(len(real), MIN_ROWS)
        fake, drawn = given(cond, n, seed)
        out["conditions"][cond.text] = {"real_rows": len(real), "drawn": drawn,
                                        **fidelity(real, fake, cond)}
    for key in ("shape_error", "trend_error", "met"):
        values = [c[key] for c in out["conditions"].values() if c[key] is not None]
        out[key] = float(np.mean(values)) if values else None
    return out
