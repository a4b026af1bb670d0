"""The batch source of data held in memory (:class:`TensorSource`), and the seeds of its epochs."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor

from vaekit.data.batches import Batch, BatchSource
from vaekit.data.preprocess import binarize, to_float

__all__ = ["Batch", "BatchSource", "TensorSource", "epoch_seed"]


def epoch_seed(seed: int, *parts: int) -> int:
    """A generator seed that depends only on (seed, parts): epochs and ranks replay exactly."""
    out = seed
    for p in parts:
        out = (out * 1_000_003 + p + 1) % (2**63)
    return out


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

    def binarized(self, mode: str) -> TensorSource:
        return TensorSource(self.x, self.y, mode, self.seed, self.rank, self.size)

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
