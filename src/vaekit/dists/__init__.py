"""Distributions as objects: rsample, log_prob (nats per example), mean, closed-form kl."""

from vaekit.dists.gaussian import DiagGaussian, StandardNormal

__all__ = ["DiagGaussian", "StandardNormal"]
