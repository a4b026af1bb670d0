"""What training's examples are: a :class:`Batch`, and the :class:`BatchSource` protocol whose
``epoch`` yields the batches of one epoch.

A source is seeded (the order of an epoch is a function of the seed and the epoch alone, so a
resumed run replays it), rank-sharded (each process of a run takes its share of every global
batch) and resumable mid-epoch (``start``: the global batches already taken). The trainer
consumes this protocol only; ``vaekit.data.source`` holds the source of data in memory and
``vaekit.data.shard_source`` the one of tables streamed from files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import torch
from torch import Tensor


@dataclass
class Batch:
    """x: (B, *shape) float, preprocessed for the likelihood; y: (B,) int64 labels or None."""

    x: Tensor
    y: Tensor | None = None

    def __len__(self) -> int:
        return len(self.x)

    def to(self, device: torch.device) -> Batch:
        return Batch(self.x.to(device), None if self.y is None else self.y.to(device))


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

    def binarized(self, mode: str) -> BatchSource:
        """The source with its batches binarized by ``mode`` (``vaekit.data.preprocess.binarize``),
        as the run's likelihood settled it."""
        ...
