"""Count distributions in log space: Poisson, negative binomial (NB) and zero-inflated NB.

Elementwise log-probability mass functions (nats) and seeded samplers, shared by the count
likelihoods. The NB is parameterized by its mean mu and inverse dispersion theta (variance
mu + mu^2 / theta), as in scVI; every function takes log mu and log theta and stays in log space
(lgamma, softplus), so tiny means and huge dispersions neither overflow nor give 0 * log 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

# log theta is kept below this (theta < 1e13): beyond it the NB is a Poisson to float precision.
MAX_LOG_THETA = 30.0


def poisson_log_prob(x: Tensor, log_rate: Tensor) -> Tensor:
    """log Poisson(x; rate) = x log rate - rate - log x!, elementwise (x: counts as floats)."""
    return x * log_rate - torch.exp(log_rate) - torch.lgamma(x + 1)


def nb_log_prob(x: Tensor, log_mu: Tensor, log_theta: Tensor) -> Tensor:
    """log NB(x; mu, theta), elementwise:
    lgamma(x + theta) - lgamma(theta) - lgamma(x + 1) + theta log(theta / (theta + mu))
    + x log(mu / (theta + mu)), with log((theta + mu) / theta) = softplus(log mu - log theta).
    The lgamma difference is taken in float64: for large theta it is a small difference of
    large numbers."""
    log_theta = log_theta.clamp(max=MAX_LOG_THETA)
    theta64 = torch.exp(log_theta.double())
    x64 = x.double()
    ratio = torch.lgamma(x64 + theta64) - torch.lgamma(theta64) - torch.lgamma(x64 + 1)
    log_odds = log_mu - log_theta  # log(mu / theta)
    spread = F.softplus(log_odds)  # log(1 + mu / theta)
    return ratio.to(log_mu.dtype) - torch.exp(log_theta) * spread + x * (log_odds - spread)


def zinb_log_prob(x: Tensor, log_mu: Tensor, log_theta: Tensor, zero_logits: Tensor) -> Tensor:
    """log of pi [x = 0] + (1 - pi) NB(x; mu, theta), elementwise, pi = sigmoid(zero_logits) the
    probability of a structural zero."""
    log_pi, log_keep = -F.softplus(-zero_logits), -F.softplus(zero_logits)
    nb = nb_log_prob(x, log_mu, log_theta)
    return torch.where(x == 0, torch.logaddexp(log_pi, log_keep + nb), log_keep + nb)


def sample_gamma(shape: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Gamma(shape, 1) draws by Marsaglia and Tsang's method (all draws from ``generator``);
    shape < 1 is boosted: Gamma(a) = Gamma(a + 1) * U^(1/a)."""
    small = shape < 1
    a = torch.where(small, shape + 1, shape)
    d = a - 1.0 / 3.0
    c = 1.0 / torch.sqrt(9.0 * d)
    out = torch.zeros_like(a)
    todo = torch.ones_like(a, dtype=torch.bool)
    while bool(todo.any()):  # each round accepts > 95% of what is left
        z = torch.randn(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        u = torch.rand(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        v = (1 + c * z) ** 3
        ok = todo & (v > 0) & (torch.log(u) < 0.5 * z**2 + d - d * v + d * torch.log(v.clamp_min(1e-30)))
        out = torch.where(ok, d * v, out)
        todo = todo & ~ok
    u = torch.rand(a.shape, generator=generator, device=a.device, dtype=a.dtype)
    return torch.where(small, out * u ** (1.0 / shape), out)


def sample_nb(mu: Tensor, log_theta: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """NB(mu, theta) draws as a gamma-Poisson mixture: rate ~ Gamma(theta, scale mu / theta)."""
    theta = torch.exp(log_theta.clamp(max=MAX_LOG_THETA)).expand_as(mu)
    rate = sample_gamma(theta, generator) * mu / theta
    return torch.poisson(rate, generator=generator)
