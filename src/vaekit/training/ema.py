"""``train.ema``: an exponential moving average of the weights, the model a run evaluates and saves."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn


class EMA:
    """A copy of ``model`` whose parameters follow the trained ones: after every optimizer step
    ``avg <- d * avg + (1 - d) * w`` with ``d = min(decay, (1 + n) / (10 + n))`` at the n-th
    update (n from 0), so the first steps do not hold it at the initial weights. Buffers (a
    codebook's running statistics) are copied as they are. ``model`` is the average.

    One foreach op over all parameters per step; under DDP every rank averages the same weights.
    """

    def __init__(self, model: nn.Module, decay: float) -> None:
        self.decay, self.updates = decay, 0
        self.model = copy.deepcopy(model).eval()
        self._avg, self._raw = list(self.model.parameters()), list(model.parameters())
        self._avg_buffers, self._raw_buffers = list(self.model.buffers()), list(model.buffers())

    @torch.no_grad()
    def update(self) -> None:
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        torch._foreach_lerp_(self._avg, self._raw, 1.0 - d)
        if self._avg_buffers:
            torch._foreach_copy_(self._avg_buffers, self._raw_buffers)
        self.updates += 1

    def state_dict(self) -> dict[str, Any]:
        return {"weights": self.model.state_dict(), "updates": self.updates}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["weights"])
        self.updates = int(state["updates"])
