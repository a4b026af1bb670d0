"""Data-parallel training on PyTorch's own engine (torch.distributed + DistributedDataParallel).

A run is distributed when it is launched by ``torchrun`` (or ``vaekit train --nproc N``, which
calls torchrun): WORLD_SIZE, RANK and LOCAL_RANK come from the environment. gloo on CPU, nccl on
CUDA. ``train.batch_size`` is the global batch: each rank takes an equal slice of every step's
batch, and DDP averages the gradients, so the step equals a one-process step on the whole batch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    def shard(self, idx: torch.Tensor) -> torch.Tensor:
        """This rank's share of one global batch of indices (strided, sizes differ by <= 1)."""
        return idx[self.rank :: self.size]

    def all_sum(self, t: torch.Tensor) -> torch.Tensor:
        """Sum a tensor over ranks (a copy; identity in one process)."""
        if self.distributed:
            t = t.clone()
            dist.all_reduce(t)
        return t

    def from_main(self, value: float, device: torch.device) -> float:
        """Rank 0's ``value`` on every rank (itself in one process)."""
        if not self.distributed:
            return value
        t = torch.tensor([value], dtype=torch.float64, device=device)
        dist.broadcast(t, src=0)
        return float(t)

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()


def init_world(device: torch.device) -> World:
    """Join the process group when launched by torchrun; a one-process World otherwise."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return World()
    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return World(rank, size, local)


def local_device(device: torch.device, world: World) -> torch.device:
    """One GPU per rank on a multi-GPU machine; CPU ranks share the CPU."""
    if device.type == "cuda" and world.distributed:
        torch.cuda.set_device(world.local_rank)
        return torch.device("cuda", world.local_rank)
    return device


def close_world(world: World) -> None:
    if world.distributed and dist.is_initialized():
        dist.destroy_process_group()
