"""An epoch's progress up to a checkpoint inside it (``train.checkpoint_steps``): what a run
killed mid-epoch needs to end the epoch with the totals and weights of an uninterrupted one.

The sums are folded over all ranks at every checkpoint (a segment's sum added to the sums of
the segments before), in an uninterrupted run as in a resumed one, so both add the same numbers
in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from vaekit.training.distributed import World


@dataclass
class Partial:
    """The first ``steps`` steps of an epoch: ``sums`` (3,) float64 on the CPU of (sum of
    E_q[log p(x|z)] in nats, sum of KL in nats, examples), all ranks; ``stats``: each named
    statistic's sum over examples; ``skipped`` steps; ``lr``: the rate of the epoch's first
    step; ``seconds`` of stepping."""

    steps: int = 0
    sums: torch.Tensor = field(default_factory=lambda: torch.zeros(3, dtype=torch.float64))
    stats: dict[str, torch.Tensor] = field(default_factory=dict)
    skipped: int = 0
    lr: float = 0.0
    seconds: float = 0.0

    def fold(self, steps: int, sums: torch.Tensor, stats: dict[str, Any], skipped: int,
             lr: float, seconds: float, world: World) -> Partial:
        """This progress followed by a segment that ends after the epoch's ``steps``-th step
        (``sums``, ``stats``: this rank's sums over the segment; a collective call)."""
        device = sums.device
        folded = {k: self.stats.get(k, torch.zeros((), dtype=torch.float64))
                  + world.all_sum(torch.as_tensor(v, device=device)).cpu()
                  for k, v in sorted(stats.items())}
        return Partial(steps, self.sums + world.all_sum(sums).cpu(),
                       {**self.stats, **folded}, skipped, lr, seconds)

    def to_state(self) -> dict[str, Any]:
        """Tensors, numbers and strings only: a checkpoint loads it with weights_only=True."""
        return {"steps": self.steps, "sums": self.sums, "stats": dict(self.stats),
                "skipped": self.skipped, "lr": self.lr, "seconds": self.seconds}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Partial:
        return cls(int(state["steps"]), state["sums"].to(torch.float64),
                   {k: v.to(torch.float64) for k, v in state["stats"].items()},
                   int(state["skipped"]), float(state["lr"]), float(state["seconds"]))
