"""A categorical column: one-hot over its most frequent categories, and one "other" bucket for
the rest when it has more than the cap (``data.max_categories``).

Block: [one-hot of the kept vocabulary (sorted), the bucket's dim when there is one]. A value
in the bucket is encoded as the bucket, and so is a value never seen in training; a column
without a bucket refuses a value it never saw (DataError). The bucket keeps a sample of its own
values with their counts (``tail``, ``tail_counts``: its most frequent categories, at most
``category_counts.TAIL_SAMPLE``): a decoded row in the bucket is written as one of them, drawn
with probability proportional to its count, so every written value is one the data held.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from vaekit.data.category_counts import CategoryCounts, Split, split_categories
from vaekit.data.table_types import pandas
from vaekit.errors import ConfigError, DataError

# Categories kept per column by default (a model dim each); the rest share one bucket. A column
# with more distinct values than this and than half its rows is inferred an identifier and left
# out (``table_types.MAX_CATEGORIES``); one of fewer keeps every category.
MAX_CATEGORIES = 1000
LARGEST_CAP = 10_000


def check_max_categories(value: Any) -> int:
    """``data.max_categories`` as given (ConfigError unless a whole number 1 .. 10,000)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LARGEST_CAP:
        raise ConfigError(f"data.max_categories: a whole number from 1 to {LARGEST_CAP:,} (the "
                          f"categories kept per column; the rest share one bucket), got {value!r}")
    return value


def row_uniforms(rows: np.ndarray, key: str) -> np.ndarray:
    """(N,) numbers in [0, 1), one per row of ``rows`` (N, D): a hash of the row's values keyed
    by ``key``. Rows drawn with a seeded generator decode the same way each time, in any chunk
    of rows, and different rows draw differently."""
    salt = hashlib.blake2b(key.encode(), digest_size=16).digest()
    a = np.ascontiguousarray(rows)
    return np.array([int.from_bytes(hashlib.blake2b(r.tobytes(), digest_size=8, key=salt)
                                    .digest(), "little") for r in a], dtype=np.float64) / 2.0**64


@dataclass
class Categorical:
    """``vocabulary``: the kept categories, sorted; ``others``: how many categories share the
    bucket (0: no bucket; a lower bound when not ``exact``); ``share``: the fraction of the
    cells in the bucket (an upper bound when not ``exact``); ``tail``/``tail_counts``: the
    bucket's values written back, most frequent first."""

    name: str
    vocabulary: list[str]
    others: int = 0
    share: float = 0.0
    tail: list[str] = field(default_factory=list)
    tail_counts: list[int] = field(default_factory=list)
    exact: bool = True  # the categories were counted exactly (else by a bounded summary)
    kind: ClassVar[str] = "categorical"
    type: ClassVar[str] = "categorical"

    @classmethod
    def fit(cls, name: str, values: Any, cap: int | None = None) -> Categorical:
        """Fitted on every cell of ``values`` (text or None), exactly counted."""
        counts = CategoryCounts(capacity=max(1, len({v for v in values if v is not None})))
        counts.add(values)
        return cls.of_split(name, split_categories(counts, cap or len(counts.counts) or 1))

    @classmethod
    def of_split(cls, name: str, split: Split) -> Categorical:
        return cls(name, split.kept, split.others, split.share, split.tail, split.tail_counts,
                   split.exact)

    @property
    def bucketed(self) -> bool:
        return self.others > 0

    @property
    def width(self) -> int:
        return len(self.vocabulary) + self.bucketed

    @property
    def detail(self) -> str:
        if not self.bucketed:
            return f"{self.width} categories"
        return f"{len(self.vocabulary)} categories + other ({self.others:,} more)"

    @property
    def note(self) -> str | None:
        """One line that says what the bucket holds (None without one)."""
        if not self.bucketed:
            return None
        kept = len(self.vocabulary)
        if not self.exact:  # counted by a bounded summary: the number of the rest is unknown
            return (f"column {self.name!r}: more than {kept + self.others:,} categories (counted "
                    f"in bounded memory); the {kept:,} most frequent kept, the others (at most "
                    f"{self.share:.0%} of rows) share one bucket")
        return (f"column {self.name!r}: {kept + self.others:,} categories; the {kept:,} most "
                f"frequent kept, the other {self.others:,} ({self.share:.0%} of rows) share one "
                "bucket")

    def encode(self, values: Any) -> np.ndarray:
        index = {v: i for i, v in enumerate(self.vocabulary)}
        values = [None if isinstance(v, float) and math.isnan(v) else v for v in values]
        present = np.array([v is not None for v in values], dtype=bool)
        unseen = [v for v in values if v is not None and v not in index]
        if unseen and not self.bucketed:
            shown = ", ".join(self.vocabulary[:8]) + (", ..." if len(self.vocabulary) > 8 else "")
            raise DataError(f"column {self.name!r}: category {unseen[0]!r} was not in the "
                            f"training data (its categories: {shown})")
        block = np.zeros((len(present), self.width))
        rows = np.nonzero(present)[0]
        other = len(self.vocabulary)  # the bucket's dim: every value not kept
        block[rows, [index.get(values[i], other) for i in rows]] = 1.0
        block[~present] = np.nan
        return block.astype(np.float32)

    def decode(self, block: np.ndarray, rows: np.ndarray | None = None) -> Any:
        """(N, width) -> (N,) categories; a row in the bucket is one of its values drawn by
        frequency, by a hash of its model row in ``rows`` (N, D) (default: ``block``)."""
        codes = np.where(np.isnan(block).any(1), -1, np.nan_to_num(block).argmax(1))
        if not self.bucketed:
            return pandas().Categorical.from_codes(codes, categories=self.vocabulary)
        names = np.array([*self.vocabulary, None, *self.tail, None], dtype=object)  # -1: missing
        bucket = np.flatnonzero(codes == len(self.vocabulary))
        if len(bucket):
            u = row_uniforms((block if rows is None else rows)[bucket], self.name)
            cdf = np.cumsum(self.tail_counts, dtype=np.float64)
            pick = np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(cdf) - 1)
            codes[bucket] = len(self.vocabulary) + 1 + pick
        return self.written(names[codes].tolist())

    def written(self, values: Any) -> Any:
        """Parsed values in the form ``decode`` writes them: categories of the vocabulary, or
        plain text for a column with a bucket (its values are many)."""
        if not self.bucketed:
            return pandas().Categorical(values, categories=self.vocabulary)
        return pandas().array([None if v is None or (isinstance(v, float) and math.isnan(v))
                               else str(v) for v in values], dtype=object)

    def block(self) -> dict[str, Any]:
        return {"kind": "categorical", "size": self.width}
