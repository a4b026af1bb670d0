"""The Gaussian latent: a mean head and a log-variance head over encoder features."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import Tensor, nn

from vaekit.dists.gaussian import DiagGaussian
from vaekit.model.latents.base import LatentCaps
from vaekit.registry import register


@register("latent", "gaussian")
class GaussianLatent(nn.Module):
    """q(z|x) = N(mu(h), diag exp(logvar(h))) from features h: (B, feature_dim) -> (B, L)."""

    caps = LatentCaps()

    def __init__(self, feature_dim: int, latent_dim: int) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.mu = nn.Linear(feature_dim, latent_dim)
        self.logvar = nn.Linear(feature_dim, latent_dim)

    @classmethod
    def decoder_dim(cls, latent_dim: int, args: Mapping[str, Any]) -> int:
        return latent_dim

    def own_prior(self) -> None:
        return None

    def layer_sizes(self) -> None:
        return None

    def forward(self, h: Tensor) -> DiagGaussian:
        return DiagGaussian(self.mu(h), self.logvar(h))
