"""How often each category of a column occurs, counted in bounded memory, and the split of a
column's categories into the kept vocabulary and one "other" bucket.

:class:`CategoryCounts` keeps exact counts while a column has at most ``capacity`` distinct
categories; past that it is a mergeable Misra-Gries summary (Agarwal et al., "Mergeable
summaries", 2012): after each merge, when more than ``capacity`` counters are held, the
(capacity + 1)-th largest count is subtracted from every counter and the counters at or below
zero are dropped. Its guarantee, over ``rows`` counted cells: every held count is at most the
true count and at least the true count minus ``rows / (capacity + 1)``, and every category that
occurs more than ``rows / (capacity + 1)`` times is held. So the most frequent categories of a
column are found whenever they are more frequent than that bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from vaekit.data.table_types import pandas

CAPACITY = 100_000  # counters held per column (exact counts up to this many categories)
TAIL_SAMPLE = 1000  # bucketed categories kept, with their counts, to write back


class CategoryCounts:
    """Counts of one column's categories over a stream of chunks (see the module's guarantee)."""

    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = CAPACITY if capacity is None else capacity
        self.rows = 0  # cells counted (missing cells are not)
        self.exact = True  # no counter was ever dropped: the counts and their number are exact
        self.counts = pandas().Series(dtype="int64")

    def add(self, values: Any) -> None:
        """Count the categories ``values`` (a sequence of text, None for a missing cell)."""
        chunk = pandas().Series(list(values), dtype=object).dropna().value_counts()
        self.rows += int(chunk.sum())
        self.counts = self.counts.add(chunk, fill_value=0).astype("int64")
        if len(self.counts) > self.capacity:
            cut = int(np.partition(self.counts.to_numpy(), -(self.capacity + 1))
                      [-(self.capacity + 1)])
            self.counts = self.counts[self.counts > cut] - cut
            self.exact = False

    @property
    def error(self) -> float:
        """The most a held count falls short of the true count (0 while exact)."""
        return 0.0 if self.exact else self.rows / (self.capacity + 1)


@dataclass
class Split:
    """A column's categories: ``kept`` (sorted: the one-hot's order), ``tail`` and
    ``tail_counts`` (the most frequent bucketed categories and their counts, most frequent
    first), ``others`` (categories in the bucket; a lower bound when not ``exact``) and
    ``share`` (the fraction of the column's cells in the bucket; an upper bound when not
    ``exact``)."""

    kept: list[str]
    tail: list[str]
    tail_counts: list[int]
    others: int
    share: float
    exact: bool


def split_categories(counts: CategoryCounts, cap: int, tail_size: int = TAIL_SAMPLE) -> Split:
    """The ``cap`` most frequent categories (ties: the smaller value first) and the bucket of
    the rest; no bucket (``others`` 0) when a column has at most ``cap`` categories."""
    c = counts.counts
    order = sorted(zip(c.index.tolist(), c.to_numpy().tolist(), strict=True),
                   key=lambda kv: (-kv[1], kv[0]))
    kept, rest = order[:cap], order[cap:]
    if not rest and counts.exact:
        return Split(sorted(k for k, _ in kept), [], [], 0, 0.0, True)
    in_kept = sum(n for _, n in kept)
    share = 1.0 - in_kept / counts.rows if counts.rows else 0.0
    tail = rest[:tail_size]
    return Split(sorted(k for k, _ in kept), [k for k, _ in tail], [int(n) for _, n in tail],
                 max(1, len(rest)), share, counts.exact)
