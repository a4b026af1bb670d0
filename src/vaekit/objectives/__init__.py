"""Objectives: functions of a model and a batch, kept apart from the modules.

Each is registered by name (``objective.name`` in the config) and built from the ``objective``
config section; the trainer and the held-out evaluation call them the same way.
"""

from vaekit import registry
from vaekit.config.schema import ObjectiveConfig
from vaekit.errors import ConfigError
from vaekit.objectives.base import Batch, LossOut, Objective
from vaekit.objectives.elbo import Elbo, ElboTerms, elbo_loss, elbo_terms
from vaekit.objectives.schedules import beta_at

__all__ = ["Batch", "Elbo", "ElboTerms", "LossOut", "Objective", "beta_at", "build_objective",
           "elbo_loss", "elbo_terms"]


def build_objective(cfg: ObjectiveConfig) -> Objective:
    """The objective ``cfg.name`` with its options ``cfg.args`` (ConfigError naming a bad one)."""
    builder = registry.get("objective", cfg.name)
    try:
        return builder(**registry.bind("objective", cfg.name, cfg.args))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"objective {cfg.name!r}: {exc}") from None
