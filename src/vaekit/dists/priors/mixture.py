"""A uniform mixture of K diagonal Gaussians as p(z): what the mixture priors share.

A subclass says where the components come from (``components_moments``: (mu, logvar), each
(K, L)); this base gives the density, samples, center and scale from them:

    log p(z) = logsumexp_k log N(z; mu_k, var_k) - log K.

A mixture has no closed-form KL against q(z|x): ``gaussian()`` is None and ``kl_terms`` uses the
Monte Carlo estimate log q(z|x) - log p(z) at the reconstruction's draw.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import torch
from torch import Tensor, nn

from vaekit.dists.gaussian import LOG_2PI


class DiagGaussianMixture(nn.Module, ABC):
    """Uniform mixture over ``components`` diagonal Gaussians in ``dim`` coordinates."""

    standard_normal = False

    def __init__(self, dim: int, components: int) -> None:
        super().__init__()
        self.dim, self.components = int(dim), int(components)

    @abstractmethod
    def components_moments(self) -> tuple[Tensor, Tensor]:
        """(mu, logvar), each (K, L)."""

    def log_prob(self, z: Tensor) -> Tensor:
        """log p(z): z (..., L) -> (...,) nats; differentiable in z and the components."""
        mu, logvar = self.components_moments()
        # sum_l (z - mu_k)^2 / var_k expanded into matmuls: an (N, K) matrix, never (N, K, L).
        # Float64 because the expansion cancels badly in float32 where a variance is small.
        dt = torch.float32 if z.device.type == "mps" else torch.float64
        flat, mu, logvar = z.reshape(-1, self.dim).to(dt), mu.to(dt), logvar.to(dt)
        prec = torch.exp(-logvar)
        quad = (flat**2) @ prec.T - 2 * flat @ (mu * prec).T + (mu**2 * prec).sum(-1)
        log_k = -0.5 * (quad + logvar.sum(-1) + self.dim * LOG_2PI)
        out = torch.logsumexp(log_k, -1) - math.log(self.components)
        return out.to(z.dtype).reshape(z.shape[:-1])

    @torch.no_grad()
    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, L) draws: a uniform component k, then mu_k + temperature * sigma_k * eps."""
        mu, logvar = (t.to(device) for t in self.components_moments())
        k = torch.randint(self.components, (n,), generator=generator, device=device)
        eps = torch.randn(n, self.dim, generator=generator, device=device, dtype=mu.dtype)
        return mu[k] + temperature * torch.exp(0.5 * logvar[k]) * eps

    def gaussian(self) -> None:
        """None: a mixture is not one Gaussian, so its KL is estimated by Monte Carlo."""
        return None

    @torch.no_grad()
    def center(self) -> Tensor:
        """(L,): the prior's mean, the average of the components' means (traversals start here)."""
        return self.components_moments()[0].mean(0)

    @torch.no_grad()
    def scale(self) -> Tensor:
        """(L,): the prior's marginal std per coordinate, sqrt(E_k[var_k + mu_k^2] - center^2)."""
        mu, logvar = self.components_moments()
        second = (torch.exp(logvar) + mu**2).mean(0)
        return (second - mu.mean(0) ** 2).clamp_min(0).sqrt()
