"""Capacity-controlled beta-VAE (Burgess et al. 2018): loss = -E_q[log p(x|z)] + gamma |KL - C|.

The target capacity C rises linearly from 0 to ``objective.capacity_max`` nats over
``objective.capacity_steps`` optimizer steps, so the KL (batch mean, nats per example) is let
grow gradually and information enters the latent a little at a time.
"""

from __future__ import annotations

import torch

from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, LossOut
from vaekit.objectives.elbo import elbo_terms
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne, NonNegative


@register("objective", "capacity")
class Capacity:
    """Training: -recon + gamma * |mean KL - C(step)|; evaluation (step None): the plain -ELBO."""

    bound_name = "-ELBO"
    train_name = "-ELBO"
    adaptation = None  # a fixed KL weight

    def __init__(self, gamma: NonNegative = 1000.0, capacity_max: NonNegative = 25.0,
                 capacity_steps: AtLeastOne = 100000) -> None:
        self.gamma, self.capacity_max, self.capacity_steps = gamma, capacity_max, capacity_steps

    def capacity_at(self, step: int) -> float:
        """C at optimizer step ``step`` (0-based), nats."""
        return self.capacity_max * min(1.0, step / self.capacity_steps)

    def beta_at(self, step: int) -> float:
        """The weight on |KL - C| (logged in the ``beta`` column)."""
        return self.gamma

    def __call__(self, model: VAE, batch: Batch, step: int | None,
                 generator: torch.Generator | None = None) -> LossOut:
        t = elbo_terms(model, batch.x, generator, batch.y)
        stats = {}
        if step is None:
            loss = -t.elbo.mean()
        else:
            c = self.capacity_at(step)
            loss = -t.recon.mean() + self.gamma * (t.kl.mean() - c).abs()
            stats["capacity"] = torch.tensor(c)
        return LossOut(loss=loss, bound=t.elbo, recon=t.recon, kl=t.kl, kl_per_dim=t.kl_per_dim,
                       latent_mean=t.posterior.mean, stats=stats)
