"""Gaussian p(x|z) = N(mu(z), sigma^2 I): fixed, learned shared, or learned per-pixel sigma.

With fixed sigma, -log p(x|z) = ||x - mu||^2 / (2 sigma^2) + D/2 * log(2 pi sigma^2): the sum of
squared errors scaled by 1 / (2 sigma^2) plus a constant, which is what "MSE loss" omits.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit.dists.gaussian import LOG_2PI
from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood
from vaekit.registry import register
from vaekit.registry.constraints import Positive


class GaussianDist(FactorizedDist):
    def __init__(self, mu: Tensor, log_sigma: Tensor, event_ndim: int) -> None:
        super().__init__(event_ndim)
        self.mu = mu
        self.log_sigma = log_sigma

    def log_prob_elementwise(self, x: Tensor) -> Tensor:
        return -0.5 * (LOG_2PI + (x - self.mu) ** 2 * torch.exp(-2 * self.log_sigma)) \
            - self.log_sigma

    @property
    def mean(self) -> Tensor:
        return self.mu

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        eps = torch.randn(self.mu.shape, generator=generator, device=self.mu.device)
        return self.mu + torch.exp(self.log_sigma) * eps


@register("likelihood", "gaussian")
class Gaussian(Likelihood):
    """Fixed sigma (default 1). sigma=1 gives 0.5 * SSE + D/2 * log(2 pi) nats per example."""

    def __init__(self, sigma: Positive = 1.0) -> None:
        super().__init__()
        self.sigma = sigma
        self.register_buffer("log_sigma", torch.tensor(math.log(sigma)), persistent=False)

    def forward(self, params: Tensor) -> GaussianDist:
        return GaussianDist(params, self.log_sigma, params.dim() - 1)


@register("likelihood", "gaussian_learned")
class GaussianLearned(Likelihood):
    """One learned sigma shared by every dimension, floored at ``min_sigma``."""

    def __init__(self, init_sigma: Positive = 1.0, min_sigma: Positive = 0.01) -> None:
        super().__init__()
        self.log_min = math.log(min_sigma)
        self.log_sigma = nn.Parameter(torch.tensor(math.log(init_sigma)))

    def forward(self, params: Tensor) -> GaussianDist:
        log_sigma = self.log_sigma.clamp(min=self.log_min)
        return GaussianDist(params, log_sigma, params.dim() - 1)


@register("likelihood", "gaussian_pixel")
class GaussianPixel(Likelihood):
    """The decoder outputs a mean and a log-sigma per dimension; sigma >= ``min_sigma``."""

    params_per_dim = 2

    def __init__(self, min_sigma: Positive = 0.01) -> None:
        super().__init__()
        self.log_min = math.log(min_sigma)

    def forward(self, params: Tensor) -> GaussianDist:
        mu, raw = self.split(params)
        # Smooth floor: log_min + softplus(raw - log_min) >= log_min, ~raw when raw >> log_min.
        log_sigma = self.log_min + F.softplus(raw - self.log_min)
        return GaussianDist(mu, log_sigma, params.dim() - 1)
