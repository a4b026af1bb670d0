"""Images streamed from disk: a BatchSource that decodes each batch when it is taken, in loader
worker processes, so memory holds a few batches whatever the number of images.

The images are files in a folder or members of uncompressed tar shards (an image's bytes are
read at its offset in the tar, so a shard is never unpacked). The order of epoch e is the same
seeded permutation :class:`~vaekit.data.source.TensorSource` takes, and rank r of ``size``
takes the same share of each global batch: on images that fit in memory, the streamed and the
in-memory sources give the same batches. A file that cannot be decoded mid-epoch is one
DataError naming it (the worker sends the message back; it does not raise across processes).

Loader workers and the training step share the machine's cores: an epoch runs at most one
worker fewer than the cores this process may use, and while it runs, training's torch threads
are capped at the cores the workers leave (two threads and a worker on two cores decode and
train at 0.7x of one thread and a worker: ``benchmarks.scale_images``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import Tensor

from vaekit.data.batches import Batch
from vaekit.data.image_members import Member
from vaekit.data.image_read import unit
from vaekit.data.preprocess import binarize, to_float
from vaekit.data.source import epoch_seed
from vaekit.errors import DataError

# What a worker returns for one batch: the images (B, C, H, W) uint8, or the error's message.
Decoded = tuple[Tensor | None, str]


# Decodes one image to (H, W) or (H, W, C) uint8 at the data set's size and colour.
Reader = Callable[[Member], np.ndarray]


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def running_workers(asked: int) -> int:
    """The loader workers that run when ``asked`` are configured: they leave training at least
    one core (0 stays 0: decoding in this process)."""
    return min(asked, max(1, usable_cores() - 1))


def share_cores(asked: int, batches: int) -> tuple[int, int]:
    """(loader workers, training threads) for an epoch of ``batches`` batches when ``asked``
    workers are configured: ``running_workers``, no more than the batches, and training takes
    the cores they leave, at most its threads now."""
    workers = min(running_workers(asked), batches)
    return workers, max(1, min(torch.get_num_threads(), usable_cores() - workers))


def decode(members: list[Member], read: Reader, index: np.ndarray) -> Decoded:
    """The images ``members[index]`` as (n, C, H, W): uint8, or float32 in [0, 1] when one of
    them is 16-bit; or the message of the first that cannot be decoded. No index: no images
    (None and no message)."""
    if len(index) == 0:
        return None, ""
    try:
        images = [read(members[i]) for i in index]
    except DataError as e:
        return None, str(e)
    if any(a.dtype == np.float32 for a in images):  # 8-bit and 16-bit images together
        images = [unit(a) for a in images]
    x = torch.from_numpy(np.stack(images))
    return (x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()), ""


class _Batches(torch.utils.data.Dataset):
    """Item b: the images of this rank's b-th batch, decoded (a loader worker runs this)."""

    def __init__(self, members: list[Member], read: Reader, batches: list[np.ndarray]) -> None:
        self.members, self.read, self.batches = members, read, batches

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, b: int) -> Decoded:
        return decode(self.members, self.read, self.batches[b])


@dataclass(frozen=True)
class ImageStreamSource:
    """The training images ``members[index]`` (labels ``y``: (len(members),) int64 or None),
    decoded by ``read`` to ``shape`` (C, H, W) in ``workers`` loader processes (0: in this
    process) and preprocessed with the binarization ``mode``."""

    members: list[Member]
    read: Reader
    index: np.ndarray
    y: Tensor | None
    shape: tuple[int, ...]
    seed: int
    workers: int = 2
    mode: str = "none"
    rank: int = 0
    size: int = 1

    def __len__(self) -> int:
        return len(self.index)

    def steps(self, batch_size: int) -> int:
        return -(-len(self.index) // batch_size)

    def sharded(self, seed: int, rank: int, size: int) -> ImageStreamSource:
        return replace(self, seed=seed, rank=rank, size=size)

    def binarized(self, mode: str) -> ImageStreamSource:
        return replace(self, mode=mode)

    def _batches(self, epoch: int, batch_size: int, start: int) -> list[np.ndarray]:
        """This rank's indices into ``members`` for each global batch from ``start`` on."""
        g = torch.Generator().manual_seed(epoch_seed(self.seed, epoch))
        order = self.index[torch.randperm(len(self.index), generator=g).numpy()]
        return [order[i : i + batch_size][self.rank :: self.size]
                for i in range(start * batch_size, len(order), batch_size)]

    def epoch(self, epoch: int, batch_size: int, noise: torch.Generator,
              start: int = 0) -> Iterator[Batch]:
        batches = self._batches(epoch, batch_size, start)
        workers, threads = share_cores(self.workers, len(batches))
        loader = torch.utils.data.DataLoader(
            _Batches(self.members, self.read, batches), batch_size=None, num_workers=workers,
            prefetch_factor=2 if workers else None, persistent_workers=False)
        before = torch.get_num_threads()
        if workers:
            torch.set_num_threads(threads)
        try:
            for idx, (x, error) in zip(batches, loader, strict=True):
                if error:
                    raise DataError(error)
                if x is None:  # this rank's share of a last batch smaller than the ranks
                    x = torch.empty((0, *self.shape), dtype=torch.uint8)
                labels = None if self.y is None else self.y[torch.from_numpy(idx)]
                yield Batch(binarize(to_float(x), self.mode, noise), labels)
        finally:
            torch.set_num_threads(before)
