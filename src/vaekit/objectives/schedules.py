"""KL weight schedules: linear warm-up once, cyclical (Fu et al. 2019), or adapted to the
validation split's reconstruction (``adaptive``, after TabSyn, Zhang et al. 2024)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KLSchedule:
    """The KL weight of the ELBO-type objectives (their shared options, nats per example).

    ``beta``: the weight once warmed up (with ``adaptive``: the weight it starts from);
    ``kl_warmup_steps``: steps of the linear warm-up from 0 (0: none); ``kl_schedule``:
    ``linear`` (once), ``cyclical`` (repeat every ``kl_cycle_steps``, the warm-up being its first
    part) or ``adaptive`` (``KLAdaptation``: the weight falls by ``kl_decay`` whenever the
    validation reconstruction has not improved for ``kl_patience`` epochs, down to ``beta_min``).
    The objectives declare the values these may take (``vaekit.registry.constraints``), checked
    when they are built.
    """

    beta: float = 1.0
    kl_warmup_steps: int = 0
    kl_schedule: str = "linear"
    kl_cycle_steps: int = 0
    beta_min: float = 1e-5
    kl_decay: float = 0.7
    kl_patience: int = 3

    def at(self, step: int, weight: float | None = None) -> float:
        """The KL weight at optimizer step ``step`` (0-based); ``weight`` replaces ``beta``
        (the adapted weight of an ``adaptive`` schedule)."""
        return beta_at(step, self, weight)

    def adaptation(self) -> KLAdaptation | None:
        """The weight's state when it adapts to validation, else None (a fixed schedule)."""
        if self.kl_schedule != "adaptive":
            return None
        return KLAdaptation(self.beta, min(self.beta_min, self.beta), self.kl_decay,
                            self.kl_patience)


def beta_at(step: int, cfg: KLSchedule, weight: float | None = None) -> float:
    """The KL weight of schedule ``cfg`` at optimizer step ``step`` (0-based); ``weight``
    replaces ``cfg.beta`` (the adapted weight of an ``adaptive`` schedule)."""
    beta = cfg.beta if weight is None else weight
    warm = cfg.kl_warmup_steps
    if warm <= 0:
        return beta
    if cfg.kl_schedule == "cyclical":
        cycle = max(cfg.kl_cycle_steps, warm)
        step = step % cycle
    return beta * min(1.0, step / warm)


@dataclass
class KLAdaptation:
    """A KL weight that follows the validation split (its state is part of the checkpoint).

    After each epoch the trainer hands over the validation reconstruction loss -E_q[log p(x|z)]
    (nats per example, lower is better). When it has not improved on the best so far for
    ``patience`` epochs in a row, the weight is multiplied by ``decay`` (never below ``floor``)
    and the count starts again: while the decoder cannot reconstruct better, z is given more
    room to carry information. TabSyn lowers its weight once per stall from 1e-2 toward 1e-5;
    here each further ``patience`` stale epochs lower it again.
    """

    weight: float
    floor: float
    decay: float
    patience: int
    best: float = math.inf
    stale: int = 0

    def observe(self, recon: float) -> float | None:
        """Take one epoch's validation reconstruction loss; the new weight when it falls, else
        None."""
        if recon < self.best:
            self.best, self.stale = recon, 0
            return None
        self.stale += 1
        if self.stale < self.patience or self.weight <= self.floor:
            return None
        self.weight, self.stale = max(self.floor, self.weight * self.decay), 0
        return self.weight

    def state_dict(self) -> dict[str, Any]:
        return {"weight": self.weight, "best": self.best, "stale": self.stale}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.weight, self.best = float(state["weight"]), float(state["best"])
        self.stale = int(state["stale"])


class KLWeighted:
    """What the ELBO-type objectives share: their KL schedule and, when it adapts to the
    validation split, the weight's state (``adaptation``, None for a fixed schedule)."""

    schedule: KLSchedule
    adaptation: KLAdaptation | None

    def beta_at(self, step: int) -> float:
        return self.schedule.at(step, None if self.adaptation is None else self.adaptation.weight)
