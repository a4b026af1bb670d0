"""The VAE as a composition: encoder -> latent q(z|x) -> decoder -> likelihood p(x|z), prior p(z)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood
from vaekit.dists.protocols import Posterior, Prior


class VAE(nn.Module):
    """Holds the parts; the math of training lives in ``vaekit.objectives``.

    ``shape`` is one example's shape, (C, H, W) for images or (D,) for rows. An optional
    ``conditioner`` (CVAE) appends a label code to the encoder features and to z; without one the
    labels ``y`` are ignored. A prior that is an ``nn.Module`` (learned pseudo-inputs) is a
    submodule: its parameters train and are saved with the rest.
    """

    def __init__(
        self,
        encoder: nn.Module,
        latent: nn.Module,
        decoder: nn.Module,
        likelihood: Likelihood,
        prior: Prior,
        shape: tuple[int, ...],
        conditioner: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.latent = latent
        self.decoder = decoder
        self.likelihood = likelihood
        self.prior = prior
        self.shape = tuple(shape)
        self.conditioner = conditioner
        # The run config of a model opened from a run folder (its data and binarization).
        self.config: Any = None

    @property
    def latent_dim(self) -> int:
        return int(self.latent.latent_dim)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def encode(self, x: Tensor, y: Tensor | None = None) -> Posterior:
        """x: (B, *shape) float -> posterior q(z|x); its ``mean`` is the deterministic embedding.

        ``y`` (B,) labels are used by conditional models and ignored otherwise.
        """
        h = self.encoder(self.likelihood.prepare_input(x))
        if self.conditioner is not None:
            h = self.conditioner.join(h, y)
        return self.latent(h)

    def decode(self, z: Tensor, y: Tensor | None = None,
               readout: Tensor | None = None) -> FactorizedDist:
        """z: (B, L) -> likelihood p(x|z) (p(x|z, y) with labels y: (B,)); ``.mean`` is the
        expected image/row. ``readout``: the decoder's input a posterior draw computed with z
        (``Draw.readout``), so a hierarchy on maps does not walk its path again."""
        if self.conditioner is not None:
            z = self.conditioner.join(z, y)
        if self.latent.caps.feature_map:  # a hierarchy on maps: the decoder reads its state
            z = readout if readout is not None else self.latent.readout(z)
        return self.likelihood(self.decoder(z))

    @torch.no_grad()
    def sample(
        self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None,
        stochastic: bool = False, y: Tensor | None = None,
    ) -> Tensor:
        """n prior draws decoded: (n, *shape); the likelihood mean unless ``stochastic``.

        ``y``: (n,) labels, required by conditional models (each draw decoded with its label).
        """
        z = self.prior.sample(n, self.device, temperature, generator)
        px = self.decode(z, y)
        return px.sample(generator) if stochastic else px.mean

    @torch.no_grad()
    def reconstruct(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """Decode the posterior mean: (B, *shape) likelihood means (labels y: (B,) if conditional)."""
        return self.decode(self.encode(x, y).mean, y).mean
