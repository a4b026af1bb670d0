"""KL weight schedules: linear warm-up once, or cyclical (Fu et al. 2019)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KLSchedule:
    """The KL weight of the ELBO-type objectives (their shared options, nats per example).

    ``beta``: the weight once warmed up; ``kl_warmup_steps``: steps of the linear warm-up from 0
    (0: none); ``kl_schedule``: ``linear`` (once) or ``cyclical`` (repeat every
    ``kl_cycle_steps``, the warm-up being its first part). The objectives declare the values
    these may take (``vaekit.registry.constraints``), checked when they are built.
    """

    beta: float = 1.0
    kl_warmup_steps: int = 0
    kl_schedule: str = "linear"
    kl_cycle_steps: int = 0

    def at(self, step: int) -> float:
        """The KL weight at optimizer step ``step`` (0-based)."""
        return beta_at(step, self)


def beta_at(step: int, cfg: KLSchedule) -> float:
    """The KL weight at optimizer step ``step`` (0-based)."""
    warm = cfg.kl_warmup_steps
    if warm <= 0:
        return cfg.beta
    if cfg.kl_schedule == "cyclical":
        cycle = max(cfg.kl_cycle_steps, warm)
        step = step % cycle
    return cfg.beta * min(1.0, step / warm)
