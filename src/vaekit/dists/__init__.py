"""Distributions as objects: rsample, log_prob (nats per example), mean, closed-form kl; the
Posterior and Prior protocols (``protocols.py``); likelihoods/ and priors/ (registered)."""

from vaekit.dists.gaussian import DiagGaussian
from vaekit.dists.protocols import Posterior, Prior, kl_terms

__all__ = ["DiagGaussian", "Posterior", "Prior", "kl_terms"]
