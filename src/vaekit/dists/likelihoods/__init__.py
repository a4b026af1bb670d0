"""Likelihoods p(x|z), one registered file each (found by the registry)."""

from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood

__all__ = ["FactorizedDist", "Likelihood"]
