"""Objectives: functions of a model and a batch, kept apart from the modules."""

from vaekit.objectives.elbo import ElboTerms, elbo_loss, elbo_terms
from vaekit.objectives.schedules import beta_at

__all__ = ["ElboTerms", "beta_at", "elbo_loss", "elbo_terms"]
