"""KL weight schedules: linear warm-up once, or cyclical (Fu et al. 2019)."""

from __future__ import annotations

from dataclasses import dataclass

from vaekit.errors import ConfigError

SCHEDULES = ("linear", "cyclical")


@dataclass(frozen=True)
class KLSchedule:
    """The KL weight of the ELBO-type objectives (their shared options, nats per example).

    ``beta``: the weight once warmed up; ``kl_warmup_steps``: steps of the linear warm-up from 0
    (0: none); ``kl_schedule``: ``linear`` (once) or ``cyclical`` (repeat every
    ``kl_cycle_steps``, the warm-up being its first part).
    """

    beta: float = 1.0
    kl_warmup_steps: int = 0
    kl_schedule: str = "linear"
    kl_cycle_steps: int = 0

    def __post_init__(self) -> None:
        nonnegative("beta", self.beta)
        nonnegative("kl_warmup_steps", self.kl_warmup_steps, whole=True)
        nonnegative("kl_cycle_steps", self.kl_cycle_steps, whole=True)
        if self.kl_schedule not in SCHEDULES:
            raise ConfigError(f"objective.kl_schedule: {self.kl_schedule!r} is not one of "
                              f"{', '.join(SCHEDULES)}")

    def at(self, step: int) -> float:
        """The KL weight at optimizer step ``step`` (0-based)."""
        return beta_at(step, self)


def weighted_kl(beta: float, free_bits: float, kl_warmup_steps: int, kl_schedule: str,
                kl_cycle_steps: int) -> tuple[KLSchedule, float]:
    """The checked options of an ELBO-type objective: its KL schedule and free bits (nats)."""
    nonnegative("free_bits", free_bits)
    return KLSchedule(beta, kl_warmup_steps, kl_schedule, kl_cycle_steps), free_bits


def nonnegative(name: str, value: object, whole: bool = False, minimum: float = 0) -> None:
    """ConfigError unless ``value`` is a number >= ``minimum`` (an integer when ``whole``)."""
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        what = "an integer" if whole else "a number"
        raise ConfigError(f"objective.{name}: must be {what} >= {minimum:g}, got {value!r}")


def beta_at(step: int, cfg: KLSchedule) -> float:
    """The KL weight at optimizer step ``step`` (0-based)."""
    warm = cfg.kl_warmup_steps
    if warm <= 0:
        return cfg.beta
    if cfg.kl_schedule == "cyclical":
        cycle = max(cfg.kl_cycle_steps, warm)
        step = step % cycle
    return cfg.beta * min(1.0, step / warm)
