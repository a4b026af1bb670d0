"""The deterministic latent of the plain autoencoder: z = f(h), a point mass, no KL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn

from vaekit.dists.draw import Draw
from vaekit.errors import ConfigError
from vaekit.model.latents.base import LatentCaps
from vaekit.registry import register

_NO_DENSITY = ("the deterministic latent (model.latent=deterministic) is a point mass: it has no "
               "KL or density; train it with objective.name=ae")


class PointMass:
    """q(z|x) = delta(z - f(x)) with f(x): (B, L). ``rsample`` returns f(x) (no noise)."""

    deterministic = True

    def __init__(self, z: Tensor) -> None:
        self.z = z

    @property
    def mean(self) -> Tensor:
        return self.z

    def rsample(self, n: int | None = None, generator: torch.Generator | None = None) -> Tensor:
        """(B, L), or (n, B, L) copies when ``n`` is given."""
        return self.z if n is None else self.z.expand(n, *self.z.shape)

    def kl_per_dim(self, other: object = None) -> None:
        """None: a point mass in a continuous space has no KL to any density."""
        return None

    def moments(self) -> None:
        return None

    def log_ratio_layers(self, prior: object, z: Tensor) -> None:
        """None: one layer."""
        return None

    def rsample_with_log_prob(self, n: int | None = None,
                              generator: torch.Generator | None = None) -> Draw:
        raise ConfigError(_NO_DENSITY)

    def log_prob(self, z: Tensor) -> Tensor:
        raise ConfigError(_NO_DENSITY)


@register("latent", "deterministic")
class DeterministicLatent(nn.Module):
    """Features h: (B, feature_dim) -> the code z = W h + b: (B, L), as a PointMass."""

    # No prior is learned: generate through an ex-post density on the codes (vaekit.samplers).
    caps = LatentCaps(density=False, gaussian_units=False)

    def __init__(self, feature_dim: int, latent_dim: int) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.head = nn.Linear(feature_dim, latent_dim)

    @classmethod
    def decoder_dim(cls, latent_dim: int, args: Mapping[str, Any]) -> int:
        return latent_dim

    def own_prior(self) -> None:
        return None

    def layer_sizes(self) -> None:
        return None

    def forward(self, h: Tensor) -> PointMass:
        return PointMass(self.head(h))
