"""Bernoulli p(x|z) over binary pixels, parameterized by logits."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from vaekit.data.preprocess import is_binary
from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood, warn_grey_levels
from vaekit.registry import register


class BernoulliDist(FactorizedDist):
    discrete = True

    def __init__(self, logits: Tensor, event_ndim: int) -> None:
        super().__init__(event_ndim)
        self.logits = logits

    def log_prob_elementwise(self, x: Tensor) -> Tensor:
        # x log p + (1 - x) log(1 - p) = x * logits - softplus(logits), stable for any logit.
        logits, x = torch.broadcast_tensors(self.logits, x)
        return -F.binary_cross_entropy_with_logits(logits, x, reduction="none")

    @property
    def mean(self) -> Tensor:
        return torch.sigmoid(self.logits)

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        return torch.bernoulli(self.mean, generator=generator)


@register("likelihood", "bernoulli")
class Bernoulli(Likelihood):
    """Bernoulli pixels: the proper likelihood for binary data (use binarization on grey levels)."""

    discrete = True
    binary_only = True
    support = (0.0, 1.0)

    def forward(self, params: Tensor) -> BernoulliDist:
        return BernoulliDist(params, params.dim() - 1)

    def check_support(self, x: Tensor, binarized: bool) -> None:
        super().check_support(x, binarized)
        if not binarized and not is_binary(x):
            warn_grey_levels("bernoulli")
