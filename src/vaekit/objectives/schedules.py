"""KL weight schedules: linear warm-up once, or cyclical (Fu et al. 2019)."""

from __future__ import annotations

from vaekit.config.schema import ObjectiveConfig


def beta_at(step: int, cfg: ObjectiveConfig) -> float:
    """The KL weight at optimizer step ``step`` (0-based)."""
    warm = cfg.kl_warmup_steps
    if warm <= 0:
        return cfg.beta
    if cfg.kl_schedule == "cyclical":
        cycle = max(cfg.kl_cycle_steps, warm)
        step = step % cycle
    return cfg.beta * min(1.0, step / warm)
