"""Continuous Bernoulli p(x|z) (Loaiza-Ganem & Cunningham 2019): a normalized density on [0, 1]."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.distributions import ContinuousBernoulli as TorchCB

from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood
from vaekit.registry import register


class ContinuousBernoulliDist(FactorizedDist):
    def __init__(self, logits: Tensor, event_ndim: int) -> None:
        super().__init__(event_ndim)
        # torch's implementation handles the normalizer near lambda = 0.5 with a Taylor series.
        self.dist = TorchCB(logits=logits, validate_args=False)

    def log_prob_elementwise(self, x: Tensor) -> Tensor:
        return self.dist.log_prob(x)

    @property
    def mean(self) -> Tensor:
        return self.dist.mean

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        u = torch.rand(self.dist.logits.shape, generator=generator, device=self.dist.logits.device)
        return self.dist.icdf(u)


@register("likelihood", "continuous_bernoulli")
class ContinuousBernoulli(Likelihood):
    """The proper [0, 1] likelihood for grey levels where people misuse binary cross-entropy."""

    support = (0.0, 1.0)

    def forward(self, params: Tensor) -> ContinuousBernoulliDist:
        return ContinuousBernoulliDist(params, params.dim() - 1)
