"""The ELBO, log p(x) >= E_q[log p(x|z)] - KL(q(z|x) || p(z)).

The KL is in closed form where the posterior and prior have one (a Gaussian against N(0, I)),
and otherwise the one-sample Monte Carlo estimate log q(z|x) - log p(z) at the same draw z
(a mixture prior with learned components), see ``vaekit.dists.protocols.kl_terms``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from vaekit.dists.protocols import Posterior, kl_terms
from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, LossOut
from vaekit.objectives.schedules import KLSchedule, KLWeighted
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne, Count, Decay, KLScheduleName, NonNegative


@dataclass
class ElboTerms:
    """Per-example terms in nats: ``recon`` = E_q[log p(x|z)] (one sample), ``kl`` (B,),
    ``kl_per_dim`` (B, L) (None for a Monte Carlo KL), and the posterior they came from.
    ``elbo`` = recon - kl."""

    recon: Tensor
    kl: Tensor
    kl_per_dim: Tensor | None
    posterior: Posterior

    @property
    def elbo(self) -> Tensor:
        return self.recon - self.kl


def elbo_terms(model: VAE, x: Tensor, generator: torch.Generator | None = None,
               y: Tensor | None = None) -> ElboTerms:
    """One reparameterized sample of the ELBO terms for a batch x: (B, *shape) (labels y)."""
    q = model.encode(x, y)
    draw = q.rsample_with_log_prob(generator=generator)
    recon = model.decode(draw.z, y, draw.readout).log_prob(x)
    kl, kl_per_dim = kl_terms(q, model.prior, draw)
    return ElboTerms(recon=recon, kl=kl, kl_per_dim=kl_per_dim, posterior=q)


def elbo_loss(terms: ElboTerms, beta: float = 1.0, free_bits: float = 0.0) -> Tensor:
    """-recon + beta * KL, averaged over the batch (nats per example).

    Free bits (Kingma et al. 2016): each latent dimension's batch-mean KL counts as at least
    ``free_bits`` nats, so the optimizer gains nothing by pushing it below that. With a Monte
    Carlo KL (no per-dimension terms) the batch-mean total counts as at least L * free_bits.
    """
    if terms.kl_per_dim is None:
        kl = terms.kl.mean()
        if free_bits > 0:
            kl = kl.clamp(min=free_bits * terms.posterior.mean.shape[-1])
        return -terms.recon.mean() + beta * kl
    kl_dims = terms.kl_per_dim.mean(0)
    if free_bits > 0:
        kl_dims = kl_dims.clamp(min=free_bits)
    return -terms.recon.mean() + beta * kl_dims.sum()


@register("objective", "elbo")
class Elbo(KLWeighted):
    """The ELBO with beta, KL warm-up and free bits while training; the plain ELBO when evaluating.

    ``free_bits``: minimum KL per latent dimension (nats), on the batch-mean KL; the other
    options are the KL schedule (``vaekit.objectives.schedules.KLSchedule``).
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
        t = elbo_terms(model, batch.x, generator, batch.y)
        if step is None:
            loss = -t.elbo.mean()
        else:
            loss = elbo_loss(t, self.beta_at(step), self.free_bits)
        return LossOut(loss=loss, bound=t.elbo, recon=t.recon, kl=t.kl, kl_per_dim=t.kl_per_dim,
                       latent_mean=t.posterior.mean)
