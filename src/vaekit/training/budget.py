"""``train.max_minutes``: a wall-clock budget for training, summed over the sessions of a run."""

from __future__ import annotations

import time

import torch

from vaekit.training.distributed import World


class Budget:
    """Seconds of training spent: ``spent`` before this session (from the checkpoint) plus this
    session's wall clock since the budget was made, against ``minutes`` (None: no limit) less
    the share ``kept`` for the work after training.

    Under data parallelism every rank reads rank 0's clock (``read``: one broadcast number), so
    all ranks set the same learning rates and stop at the same step.
    """

    def __init__(self, minutes: float | None, spent: float, world: World,
                 device: torch.device, kept: float = 0.0) -> None:
        self.minutes = minutes
        # ``kept``: the share of the budget left for what follows the last epoch (a prior fitted
        # on the codes), so the whole command ends within ``minutes``.
        self.limit = None if minutes is None else minutes * 60.0 * (1.0 - kept)
        self.spent, self.start = spent, time.perf_counter()
        self.world, self.device = world, device

    def elapsed(self) -> float:
        """Seconds of training so far on this rank's clock (what the checkpoint records)."""
        return self.spent + time.perf_counter() - self.start

    def read(self) -> float:
        """Rank 0's ``elapsed()`` on every rank; 0.0 without a limit (nothing depends on it)."""
        if self.limit is None:
            return 0.0
        return self.world.from_main(self.elapsed(), self.device)

    def fraction(self, elapsed: float) -> float:
        """How much of the budget ``elapsed`` seconds are, in [0, 1]; 0.0 without a limit."""
        return 0.0 if self.limit is None else min(1.0, elapsed / self.limit)

    def over(self, elapsed: float) -> bool:
        return self.limit is not None and elapsed >= self.limit
