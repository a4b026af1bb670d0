"""A table's training split streamed from its files, a row group at a time: a BatchSource whose
memory does not grow with the data.

Every row of the data set has a fixed split (``row_split``: a hash of its global index and the
seed, so no pass over the data decides it). An epoch visits the files' row groups in a seeded
order; each process of a run takes its own row groups (rank r of n: every n-th in that order),
so no process reads the whole data set, and each fills a buffer of ``buffer_rows`` rows that
is shuffled before its batches are taken. A training split that fits in the buffer is read
once and kept: its epochs are then exactly those of :class:`~vaekit.data.source.TensorSource`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import Tensor

from vaekit.data.shard_files import RowGroup
from vaekit.data.source import Batch, TensorSource, epoch_seed

SPLIT_CODES = {"train": 0, "val": 1, "test": 2}


def uniform_of_rows(index: np.ndarray, seed: int) -> np.ndarray:
    """A uniform number in [0, 1) for each global row index (splitmix64 of index and seed)."""
    with np.errstate(over="ignore"):
        z = index.astype(np.uint64) + np.uint64(seed % 2**64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / 2.0**53


def row_split(index: np.ndarray, seed: int, p_test: float, p_val: float) -> np.ndarray:
    """The split code (``SPLIT_CODES``) of each global row index: test with probability
    ``p_test``, validation with ``p_val``, else train."""
    u = uniform_of_rows(index, seed)
    return np.where(u < p_test, 2, np.where(u < p_test + p_val, 1, 0)).astype(np.int8)


class ShardSource:
    """The training split of ``groups``, rows encoded by ``encode`` (a DataFrame -> (x, y))."""

    def __init__(self, groups: list[RowGroup], encode: Callable[[Any], tuple[Tensor, Tensor | None]],
                 split: Callable[[np.ndarray], np.ndarray], seed: int, buffer_rows: int,
                 rank: int = 0, size: int = 1) -> None:
        self.groups, self.encode, self.split, self.seed = groups, encode, split, seed
        self.buffer_rows, self.rank, self.size = buffer_rows, rank, size
        self._kept: TensorSource | None = None

    def __len__(self) -> int:
        return sum(g.train for g in self.groups)

    def sharded(self, seed: int, rank: int, size: int) -> ShardSource:
        return ShardSource(self.groups, self.encode, self.split, seed, self.buffer_rows, rank,
                           size)

    def binarized(self, mode: str) -> ShardSource:
        """A table is never binarized: ``mode`` is ``none``."""
        if mode != "none":
            raise ValueError(f"a table cannot be binarized ({mode!r})")
        return self

    @property
    def streams(self) -> bool:
        """True when the split is read anew each epoch (it does not fit in the buffer, or the
        run has several processes, each of which reads only its own row groups)."""
        return self.size > 1 or len(self) > self.buffer_rows

    def steps(self, batch_size: int, epoch: int = 1) -> int:
        if not self.streams:
            return -(-len(self) // batch_size)
        # Every process takes the same number of steps: full batches of the smallest share of
        # this epoch's row groups (the shares change with the epoch's order).
        return min(self._share(r, epoch) for r in range(self.size)) // self._local(batch_size)

    def _local(self, batch_size: int) -> int:
        return max(1, batch_size // self.size)

    def _share(self, rank: int, epoch: int = 0) -> int:
        return sum(self.groups[i].train for i in self._mine(epoch, rank))

    def _mine(self, epoch: int, rank: int) -> list[int]:
        g = torch.Generator().manual_seed(epoch_seed(self.seed, epoch))
        return torch.randperm(len(self.groups), generator=g)[rank :: self.size].tolist()

    def _rows(self, group: RowGroup) -> tuple[Tensor, Tensor | None]:
        """The training rows of one row group, encoded."""
        frame = group.read()
        keep = self.split(np.arange(group.offset, group.offset + group.rows)) == 0
        x, y = self.encode(frame[keep])
        return x, y

    def _whole(self) -> TensorSource:
        if self._kept is None:
            parts = [self._rows(g) for g in self.groups]
            ys = [y for _, y in parts]
            y = None if any(v is None for v in ys) else torch.cat(ys)  # type: ignore[arg-type]
            self._kept = TensorSource(torch.cat([x for x, _ in parts]), y, "none", self.seed)
        return self._kept

    def epoch(self, epoch: int, batch_size: int, noise: torch.Generator,
              start: int = 0) -> Iterator[Batch]:
        if not self.streams:
            yield from self._whole().epoch(epoch, batch_size, noise, start)
            return
        local, steps = self._local(batch_size), self.steps(batch_size, epoch)
        shuffle = torch.Generator().manual_seed(epoch_seed(self.seed, epoch, self.rank + 1))
        mine = self._mine(epoch, self.rank)
        taken, xs, ys = 0, [], []
        for n, i in enumerate(mine):
            x, y = self._rows(self.groups[i])
            xs.append(x)
            ys.append(y)
            if sum(len(v) for v in xs) < self.buffer_rows and n + 1 < len(mine):
                continue
            bx = torch.cat(xs)
            order = torch.randperm(len(bx), generator=shuffle)
            by = None if any(v is None for v in ys) else torch.cat(ys)[order]  # type: ignore[arg-type]
            bx, xs, ys = bx[order], [], []
            full = len(bx) // local * local
            for j in range(0, full, local):
                if taken == steps:
                    return
                if taken >= start:
                    yield Batch(bx[j : j + local], None if by is None else by[j : j + local])
                taken += 1
            if full < len(bx):  # the rest waits for the next row groups
                xs.append(bx[full:])
                ys.append(None if by is None else by[full:])
