"""Likelihoods p(x|z), one registered file each."""

from vaekit.dists.likelihoods import bernoulli, continuous_bernoulli, gaussian  # noqa: F401
from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood

__all__ = ["FactorizedDist", "Likelihood"]
