"""Poisson p(x|z) over rows of counts: rate rho(z) * l, variance equal to the mean.

The count likelihood without a dispersion: right for technical replicates and shot noise, too
narrow for most biological counts (use the negative binomial there). Library size and encoder
input as every count likelihood (``count_base``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from vaekit.dists.counts import poisson_log_prob
from vaekit.dists.likelihoods.count_base import CountDist, CountLikelihood
from vaekit.registry import register


class PoissonDist(CountDist):
    def log_pmf(self, x: Tensor, log_mu: Tensor) -> Tensor:
        return poisson_log_prob(x, log_mu)

    def draw(self, mu: Tensor, generator: torch.Generator | None) -> Tensor:
        return torch.poisson(mu, generator=generator)


@register("likelihood", "poisson")
class Poisson(CountLikelihood):
    """Poisson counts, one decoder output per feature (the logits of the proportions)."""

    def forward(self, params: Tensor) -> PoissonDist:
        return PoissonDist(F.log_softmax(params, dim=-1), self.library)
