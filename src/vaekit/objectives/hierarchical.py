"""The ELBO of a ladder (hierarchical) latent, with a closed-form KL per layer.

    ELBO = E_q[log p(x|z)] - sum_l E_q[KL(q(z_l | z_{l+1}, x) || p(z_l | z_{l+1}))]

Each layer's KL is in closed form between two Gaussians given the sampled parents z_{l+1} (one
reparameterized top-down draw), so every term is >= 0 and they sum to the total KL; a top layer
under a mixture prior (``model.prior: vamp``) has the Monte Carlo estimate at the same draw. Training
adds the KL warm-up (``objective.kl_warmup_steps``, from ``beta`` 0 to ``objective.beta``) and
free bits per layer: layer l's batch-mean KL counts as at least ``objective.free_bits`` * size_l
nats, so no layer, the top one included, gains by collapsing below that budget.
"""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.errors import ConfigError
from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, LossOut
from vaekit.objectives.schedules import KLSchedule, KLWeighted
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne, Count, Decay, KLScheduleName, NonNegative


def layer_kl_loss(layer_kls: list[Tensor], sizes: list[int], beta: float,
                  free_bits: float) -> Tensor:
    """beta * sum_l max(free_bits * size_l, batch mean of KL_l); layer_kls: [(B,)] nats."""
    total = torch.zeros((), device=layer_kls[0].device)
    for kl, size in zip(layer_kls, sizes, strict=True):
        layer = kl.mean()
        total = total + (layer.clamp(min=free_bits * size) if free_bits > 0 else layer)
    return beta * total


@register("objective", "hierarchical")
class LadderElbo(KLWeighted):
    """-ELBO with per-layer KL; evaluation (step None) gives the plain ELBO (beta 1, no free bits).

    Stats (per-epoch columns ``train_kl_z1``, ``val_kl_z2``, ...): each layer's KL, nats.
    """

    bound_name = "-ELBO"
    train_name = "-ELBO"

    def __init__(self, beta: NonNegative = 1.0, free_bits: NonNegative = 0.0,
                 kl_warmup_steps: Count = 0, kl_schedule: KLScheduleName = "linear",
                 kl_cycle_steps: Count = 0, beta_min: NonNegative = 1e-5,
                 kl_decay: Decay = 0.7, kl_patience: AtLeastOne = 3) -> None:
        self.schedule = KLSchedule(beta, kl_warmup_steps, kl_schedule, kl_cycle_steps, beta_min,
                                   kl_decay, kl_patience)
        self.adaptation = self.schedule.adaptation()
        self.free_bits = free_bits

    def __call__(self, model: VAE, batch: Batch, step: int | None,
                 generator: torch.Generator | None = None) -> LossOut:
        if model.latent.layer_sizes() is None:
            raise ConfigError("objective.name=hierarchical needs model.latent=hierarchical")
        q = model.encode(batch.x, batch.y)
        path = q.path(generator)
        recon = model.decode(path.z, batch.y, path.state).log_prob(batch.x)
        layers = path.layer_kls()
        dims = path.kl_layers()
        kl_per_dim = None if dims is None else torch.cat(dims, -1)
        kl = torch.stack(layers).sum(0)
        bound = recon - kl
        if step is None:
            loss = -bound.mean()
        else:
            loss = -recon.mean() + layer_kl_loss(layers, model.latent.layer_sizes(),
                                                 self.beta_at(step), self.free_bits)
        stats = {f"kl_z{i + 1}": kl_l.detach().mean() for i, kl_l in enumerate(layers)}
        return LossOut(loss=loss, bound=bound, recon=recon, kl=kl, kl_per_dim=kl_per_dim,
                       latent_mean=q.mean if step is None else None, stats=stats)
