"""Where training's examples come from: a :class:`BatchSource` yields the batches of one epoch.

A source is seeded (the order of an epoch is a function of the seed and the epoch alone, so a
resumed run replays it), rank-sharded (each process of a run takes its share of every global
batch) and resumable mid-epoch (``start``: the global batches already taken). The trainer
consumes this protocol only; :class:`TensorSource` is the source of data held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import torch
from torch import Tensor

from vaekit.data.base import binarize, to_float


@dataclass
class Batch:
    """x: (B, *shape) float, preprocessed for the likelihood; y: (B,) int64 labels or None."""

    x: Tensor
    y: Tensor | None = None

    def __len__(self) -> int:
        return len(self.x)

    def to(self, device: torch.device) -> Batch:
        return Batch(self.x.to(device), None if self.y is None else self.y.to(device))


def epoch_seed(seed: int, *parts: int) -> int:
    """A generator seed that depends only on (seed, parts): epochs and ranks replay exactly."""
    out = seed
    for p in parts:
        out = (out * 1_000_003 + p + 1) % (2**63)
    return out


class BatchSource(Protocol):
    """The batches of one split, epoch by epoch."""

    def __len__(self) -> int:
        """Examples in one epoch, all ranks together."""
        ...

    def steps(self, batch_size: int) -> int:
        """Global batches in one epoch."""
        ...

    def epoch(self, epoch: int, batch_size: int, noise: torch.Generator,
              start: int = 0) -> Iterator[Batch]:
        """This rank's batches of ``epoch`` from global batch ``start`` on, preprocessed for the
        likelihood (``noise``: the draws of a dynamic binarization, in batch order)."""
        ...

    def sharded(self, seed: int, rank: int, size: int) -> BatchSource:
        """The source as process ``rank`` of ``size`` sees it, its epochs ordered by ``seed``."""
        ...


class TensorSource:
    """A split held as tensors (on the training device; uint8 pixels stay uint8 until a batch is
    taken). The order of epoch e is ``randperm(N)`` seeded with ``epoch_seed(seed, e)``; rank r
    of ``size`` takes every size-th example of each global batch (sizes differ by <= 1)."""

    def __init__(self, x: Tensor, y: Tensor | None, mode: str, seed: int, rank: int = 0,
                 size: int = 1) -> None:
        self.x, self.y, self.mode, self.seed = x, y, mode, seed
        self.rank, self.size = rank, size

    def __len__(self) -> int:
        return len(self.x)

    def steps(self, batch_size: int) -> int:
        return -(-len(self.x) // batch_size)

    def sharded(self, seed: int, rank: int, size: int) -> TensorSource:
        return TensorSource(self.x, self.y, self.mode, seed, rank, size)

    def order(self, epoch: int) -> Tensor:
        """The epoch's permutation of the examples (on the data's device)."""
        g = torch.Generator().manual_seed(epoch_seed(self.seed, epoch))
        return torch.randperm(len(self.x), generator=g).to(self.x.device)

    def epoch(self, epoch: int, batch_size: int, noise: torch.Generator,
              start: int = 0) -> Iterator[Batch]:
        order = self.order(epoch)
        for i in range(start * batch_size, len(order), batch_size):
            idx = order[i : i + batch_size][self.rank :: self.size]
            x = binarize(to_float(self.x[idx]), self.mode, noise)
            yield Batch(x, None if self.y is None else self.y[idx])
