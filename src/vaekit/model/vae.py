"""The VAE as a composition: encoder -> latent q(z|x) -> decoder -> likelihood p(x|z), prior p(z)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from vaekit.dists.gaussian import DiagGaussian, StandardNormal
from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood


class VAE(nn.Module):
    """Holds the parts; the math of training lives in ``vaekit.objectives``.

    ``shape`` is one example's shape, (C, H, W) for images or (D,) for rows.
    """

    def __init__(
        self,
        encoder: nn.Module,
        latent: nn.Module,
        decoder: nn.Module,
        likelihood: Likelihood,
        prior: StandardNormal,
        shape: tuple[int, ...],
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.latent = latent
        self.decoder = decoder
        self.likelihood = likelihood
        self.prior = prior
        self.shape = tuple(shape)

    @property
    def latent_dim(self) -> int:
        return int(self.latent.latent_dim)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def encode(self, x: Tensor, y: Tensor | None = None) -> DiagGaussian:
        """x: (B, *shape) float -> posterior q(z|x); its ``mean`` is the deterministic embedding.

        ``y`` (B,) labels are used by conditional models and ignored otherwise.
        """
        return self.latent(self.encoder(x))

    def decode(self, z: Tensor, y: Tensor | None = None) -> FactorizedDist:
        """z: (B, L) -> likelihood p(x|z); ``.mean`` is the expected image/row."""
        return self.likelihood(self.decoder(z))

    @torch.no_grad()
    def sample(
        self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None,
        stochastic: bool = False,
    ) -> Tensor:
        """n prior draws decoded: (n, *shape); the likelihood mean unless ``stochastic``."""
        z = self.prior.sample(n, self.device, temperature, generator)
        px = self.decode(z)
        return px.sample(generator) if stochastic else px.mean

    @torch.no_grad()
    def reconstruct(self, x: Tensor) -> Tensor:
        """Decode the posterior mean: (B, *shape) likelihood means."""
        return self.decode(self.encode(x).mean).mean
