"""Every row of a folder (or glob) of table files, in order, as a run's codec encodes them, read a
row group at a time: what ``vaekit encode`` and ``vaekit score`` apply a run to when the rows do
not fit in memory.

:class:`ShardRows` stands in for the (N, D) tensor of rows that the apply commands slice batch
by batch (its length, ``shape``, ``dtype`` and slices); :class:`ShardLabels` for the labels of
the codec's label column. Both read through one cache of the last row group encoded, so a pass
in order reads each group once.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from vaekit.data.shard_files import RowGroup, open_shards
from vaekit.data.shards import shard_paths
from vaekit.data.table_codec import TableCodec
from vaekit.data.table_types import pandas
from vaekit.errors import DataError


@dataclass
class _Groups:
    """The row groups of the files and the last one encoded: (rows, labels or None)."""

    groups: list[RowGroup]
    codec: TableCodec
    classes: list[str] | None
    starts: list[int] = field(default_factory=list)
    kept: tuple[int, Tensor, Tensor | None, Any] | None = None

    def __post_init__(self) -> None:
        self.starts = [g.offset for g in self.groups]

    @property
    def rows(self) -> int:
        return self.groups[-1].offset + self.groups[-1].rows

    def encoded(self, i: int) -> tuple[Tensor, Tensor | None, Any]:
        """Group ``i``'s rows, labels (or None) and parsed frame."""
        if self.kept is None or self.kept[0] != i:
            group = self.groups[i]
            frame = self.codec.parse(group.read(), group.where)
            self.kept = (i, self.codec.encode(frame), self._labels(frame, group.where), frame)
        return self.kept[1], self.kept[2], self.kept[3]

    def _labels(self, frame: object, where: str) -> Tensor | None:
        label = self.codec.label
        if label is None or self.classes is None or label not in frame.columns:  # type: ignore[attr-defined]
            return None
        index = {name: i for i, name in enumerate(self.classes)}
        cells = [str(v) for v in frame[label]]  # type: ignore[index]
        unknown = sorted({c for c in cells if c not in index})
        if unknown:
            raise DataError(f"{where}, column {label!r}: label(s) {', '.join(unknown[:3])} the "
                            "run was not trained on")
        return torch.tensor([index[c] for c in cells], dtype=torch.int64)

    def rows_of(self, start: int, stop: int) -> tuple[Tensor, Tensor | None, Any]:
        """Rows ``start:stop`` across the groups that hold them, each group read once: the
        encoded rows, their labels (or None) and their parsed frame (indexed from 0)."""
        xs, ys, frames = [], [], []
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        while start < stop and i < len(self.groups):
            g = self.groups[i]
            lo, hi = start - g.offset, min(stop, g.offset + g.rows) - g.offset
            x, y, frame = self.encoded(i)
            xs.append(x[lo:hi])
            ys.append(None if y is None else y[lo:hi])
            frames.append(frame.iloc[lo:hi])
            start, i = g.offset + hi, i + 1
        labels = None if ys[0] is None else torch.cat(ys)
        return torch.cat(xs), labels, pandas().concat(frames, ignore_index=True)


class ShardRows:
    """Stands in for the (N, D) float32 tensor of the files' rows, encoded by ``codec``."""

    def __init__(self, cache: _Groups) -> None:
        self.cache = cache

    def __len__(self) -> int:
        return self.cache.rows

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.cache.rows, self.cache.codec.width)

    @property
    def dtype(self) -> torch.dtype:
        return torch.float32

    def __getitem__(self, index: slice) -> Tensor:
        start, stop, _ = index.indices(len(self))
        return self.cache.rows_of(start, stop)[0]

    def chunk(self, start: int, stop: int) -> tuple[Tensor, Tensor | None, Any]:
        """Rows ``start:stop``, their labels (or None) and their parsed cells (a DataFrame
        indexed from 0), each row group read once."""
        return self.cache.rows_of(start, stop)


class ShardLabels(ShardRows):
    """Stands in for the (N,) int64 labels of the codec's label column."""

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.cache.rows,)

    @property
    def dtype(self) -> torch.dtype:
        return torch.int64

    def __getitem__(self, index: slice) -> Tensor:
        start, stop, _ = index.indices(len(self))
        labels = self.cache.rows_of(start, stop)[1]
        assert labels is not None
        return labels


def shard_rows(spec: str, codec: TableCodec, classes: list[str] | None
               ) -> tuple[ShardRows, ShardLabels | None]:
    """The rows of the files at ``spec`` and, when the run has a label column and the files
    hold it, their labels (DataError naming a file whose columns differ from the first's)."""
    cache = _Groups(open_shards(shard_paths(spec), spec).groups, codec, classes)
    has_label = codec.label is not None and classes is not None and \
        codec.label in cache.groups[0].names
    return ShardRows(cache), ShardLabels(cache) if has_label else None
