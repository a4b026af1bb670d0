"""Reconstruction only: the deterministic autoencoder's objective, -log p(x | z = f(x))."""

from __future__ import annotations

import torch

from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, LossOut
from vaekit.registry import register


@register("objective", "ae")
class Reconstruction:
    """loss = -mean_x log p(x | z = mean of q(z|x)), nats per example, in training and evaluation.

    This is NOT a bound on log p(x): an autoencoder has none. ``bound`` holds log p(x|f(x)) so
    that ``test_loss`` is the reconstruction NLL; ``kl`` is reported as 0.
    """

    bound_name = "recon NLL"
    train_name = "recon NLL"
    adaptation = None  # a fixed KL weight

    def beta_at(self, step: int) -> float:
        return 0.0

    def __call__(self, model: VAE, batch: Batch, step: int | None,
                 generator: torch.Generator | None = None) -> LossOut:
        z = model.encode(batch.x, batch.y).mean
        recon = model.decode(z, batch.y).log_prob(batch.x)
        return LossOut(loss=-recon.mean(), bound=recon, recon=recon,
                       kl=torch.zeros_like(recon), latent_mean=z)
