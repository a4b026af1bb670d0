"""The Gaussian latent: a mean head and a log-variance head over encoder features."""

from __future__ import annotations

from torch import Tensor, nn

from vaekit.dists.gaussian import DiagGaussian
from vaekit.registry import register


@register("latent", "gaussian")
class GaussianLatent(nn.Module):
    """q(z|x) = N(mu(h), diag exp(logvar(h))) from features h: (B, feature_dim) -> (B, L)."""

    def __init__(self, feature_dim: int, latent_dim: int) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.mu = nn.Linear(feature_dim, latent_dim)
        self.logvar = nn.Linear(feature_dim, latent_dim)

    def forward(self, h: Tensor) -> DiagGaussian:
        return DiagGaussian(self.mu(h), self.logvar(h))
