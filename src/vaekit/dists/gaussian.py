"""Diagonal Gaussians parameterized by mean and log-variance (the VAE posterior and prior)."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from vaekit.dists.draw import Draw

LOG_2PI = math.log(2 * math.pi)


class DiagGaussian:
    """N(mu, diag exp(logvar)) over the last dimension; batch dims in front.

    ``mu``, ``logvar``: (B, L). ``log_prob`` and ``kl`` sum over L and return (B,) in nats.
    """

    deterministic = False  # as a posterior: draws differ
    standard_normal = False  # as a prior of another Gaussian (the ladder's p(z_l | z_{l+1}))

    def __init__(self, mu: Tensor, logvar: Tensor) -> None:
        self.mu = mu
        self.logvar = logvar

    @property
    def mean(self) -> Tensor:
        return self.mu

    @property
    def std(self) -> Tensor:
        return torch.exp(0.5 * self.logvar)

    def rsample(self, n: int | None = None, generator: torch.Generator | None = None) -> Tensor:
        """z = mu + sigma * eps, eps ~ N(0, I): differentiable in mu and logvar.

        Returns (B, L), or (n, B, L) when ``n`` is given.
        """
        shape = self.mu.shape if n is None else (n, *self.mu.shape)
        eps = torch.randn(shape, generator=generator, device=self.mu.device, dtype=self.mu.dtype)
        return self.mu + self.std * eps

    def rsample_with_log_prob(self, n: int | None = None,
                              generator: torch.Generator | None = None) -> Draw:
        """``rsample``'s draws z (B, L) or (n, B, L) with log q(z) (..., B) nats."""
        z = self.rsample(n, generator)
        return Draw(z, self.log_prob(z))

    def log_prob_per_dim(self, z: Tensor) -> Tensor:
        """log N(z; mu, sigma^2) per dimension, shape of ``z`` (broadcasts over sample dims)."""
        return -0.5 * (LOG_2PI + self.logvar + (z - self.mu) ** 2 * torch.exp(-self.logvar))

    def log_prob(self, z: Tensor) -> Tensor:
        """log q(z) summed over the latent dimension: (..., B) nats."""
        return self.log_prob_per_dim(z).sum(-1)

    def moments(self) -> tuple[Tensor, Tensor]:
        return self.mu, self.logvar

    def gaussian(self) -> DiagGaussian:
        """Itself: a DiagGaussian can stand as the (conditional) prior of another one."""
        return self

    def log_ratio_layers(self, prior: Any, z: Tensor) -> None:
        """None: one layer."""
        return None

    def kl_per_dim(self, other: Any = None) -> Tensor | None:
        """Closed-form KL(self || other) per dimension, (B, L) nats; other defaults to N(0, I).

        ``other`` is a DiagGaussian or a prior (see ``vaekit.dists.protocols.Prior``); against
        N(0, I): 0.5 * (mu^2 + sigma^2 - log sigma^2 - 1). None when ``other`` is no Gaussian
        (a mixture prior): the caller estimates the KL by Monte Carlo.
        """
        if other is None or other.standard_normal:
            return 0.5 * (self.mu**2 + torch.exp(self.logvar) - self.logvar - 1.0)
        other = other.gaussian()
        if other is None:
            return None
        var_ratio = torch.exp(self.logvar - other.logvar)
        return 0.5 * (var_ratio + (self.mu - other.mu) ** 2 * torch.exp(-other.logvar)
                      - 1.0 - (self.logvar - other.logvar))

    def kl(self, other: Any = None) -> Tensor:
        """KL(self || other) summed over the latent dimension: (B,) nats (Gaussian ``other``)."""
        per_dim = self.kl_per_dim(other)
        if per_dim is None:
            raise ValueError("no closed-form KL against a non-Gaussian prior")
        return per_dim.sum(-1)


class StandardNormal:
    """N(0, I) over ``dim`` dimensions: the default prior p(z)."""

    description = "N(0, I)"
    standard_normal = True

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def gaussian(self) -> DiagGaussian:
        zeros = torch.zeros(self.dim)
        return DiagGaussian(zeros, zeros)

    def center(self) -> Tensor:
        """(dim,) the prior mean: zeros."""
        return torch.zeros(self.dim)

    def scale(self) -> Tensor:
        """(dim,) the prior standard deviation per coordinate: ones."""
        return torch.ones(self.dim)

    def sample(
        self,
        n: int,
        device: torch.device | str = "cpu",
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """(n, dim) draws, scaled by ``temperature``."""
        z = torch.randn(n, self.dim, generator=generator, device=device)
        return z * temperature

    def log_prob(self, z: Tensor) -> Tensor:
        """log N(z; 0, I) summed over the last dimension, nats."""
        return -0.5 * (LOG_2PI + z**2).sum(-1)
