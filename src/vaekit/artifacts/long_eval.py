"""Long evaluations: the per-image bounds of a run, block by block, in shards and processes.

At k=5000 the bound of 10k test images through a deep hierarchy and a PixelCNN is hours of a
2-core CPU. ``vaekit evaluate RUN --k 5000 --shard i/N --workers W`` computes only what the
likelihood table needs -- per image, -IW_k and the ELBO of the same k draws -- for the blocks of
shard i of N (contiguous ranges of blocks), in W processes of one or more threads each, and keeps
every finished block in ``RUN/iw-k<k>-seed<seed>/`` (``vaekit.store.iw_bounds``). Each block draws
from its own generator seeded with ``seed`` + its first index (``vaekit.eval.per_example``), the
same draws as the block's in a whole ``vaekit evaluate``: shards from different machines and
sittings add up, image by image, to the unsharded evaluation.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context, parent_process
from multiprocessing.connection import wait as wait_for
from pathlib import Path
from typing import Any

import torch

from vaekit.artifacts.run_context import RunContext
from vaekit.eval.iw import chunk_for
from vaekit.eval.per_example import block_bounds

Block = tuple[int, list[float], list[float], float]  # first, nll, elbo, seconds
_worker: dict[str, Any] = {}


def shard_blocks(n: int, batch: int, index: int, count: int) -> list[int]:
    """The first image index of every block of shard ``index`` of ``count``: blocks of ``batch``
    images cut into ``count`` contiguous runs of (nearly) equal length."""
    firsts = list(range(0, n, batch))
    return firsts[len(firsts) * index // count : len(firsts) * (index + 1) // count]


def exit_with_parent() -> None:
    """In a worker: exit as soon as the process that started it is gone. A parent killed by a
    signal never shuts its pool down, and its workers would go on for hours no one reads."""
    parent = parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait_for([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _setup(run: str, device: str, split: str, threads: int) -> None:
    """Each worker: its threads, the run's model and the split, as the parent opened them."""
    exit_with_parent()
    torch.set_num_threads(threads)
    ctx = RunContext.open(Path(run), device)
    _worker["model"], _worker["data"] = ctx.model.eval(), ctx.eval_data(split)


def _block(first: int, size: int, k: int, seed: int) -> Block:
    model, data = _worker["model"], _worker["data"]
    t0 = time.perf_counter()
    nll, elbo = block_bounds(model, data, first, size, k, seed, chunk_for(model.device))
    return first, nll.tolist(), elbo.tolist(), time.perf_counter() - t0


def compute_blocks(ctx: RunContext, split: str, firsts: list[int], k: int, seed: int, batch: int,
                   workers: int = 1, threads: int = 0) -> Iterator[Block]:
    """The bounds of the blocks starting at ``firsts``, as each finishes (in any order).

    One worker computes in this process with the model and split of ``ctx``; more start
    ``workers`` processes, each opening the run itself with ``threads`` threads (0: this
    process's threads shared out)."""
    threads = threads or max(1, torch.get_num_threads() // workers)
    if workers == 1:
        _worker["model"], _worker["data"] = ctx.model.eval(), ctx.eval_data(split)
        for first in firsts:
            yield _block(first, batch, k, seed)
        return
    with ProcessPoolExecutor(workers, get_context("spawn"), initializer=_setup,
                             initargs=(str(ctx.path), str(ctx.model.device), split,
                                       threads)) as pool:
        pending = {pool.submit(_block, first, batch, k, seed) for first in firsts}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
