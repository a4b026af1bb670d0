"""The ELBO of a whole split, in batches, with the per-dimension KL and active units."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from vaekit.model.vae import VAE
from vaekit.objectives.elbo import elbo_terms


@dataclass
class SplitElbo:
    """Means over a split, nats per example: ``loss`` = -ELBO, ``recon`` = -E_q[log p(x|z)]."""

    loss: float
    recon: float
    kl: float
    kl_per_dim: Tensor  # (L,) mean over examples
    active_units: int


def active_units(means: Tensor, threshold: float = 0.01) -> Tensor:
    """Burda et al. 2015: unit u is active when Var_x(E_q[z_u | x]) > threshold. means: (N, L)."""
    return means.var(0) > threshold


@torch.no_grad()
def split_elbo(
    model: VAE, x: Tensor, batch_size: int = 1000, generator: torch.Generator | None = None
) -> SplitElbo:
    """One-sample ELBO over x: (N, *shape) float, already preprocessed for the likelihood."""
    recon = kl = 0.0
    kl_dims = torch.zeros(model.latent_dim, dtype=torch.float64)
    means = []
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size]
        terms = elbo_terms(model, xb, generator)
        recon += float(terms.recon.double().sum())
        kl += float(terms.kl.double().sum())
        kl_dims += terms.kl_per_dim.double().sum(0).cpu()
        means.append(terms.posterior.mean)
    n = len(x)
    return SplitElbo(
        loss=(kl - recon) / n, recon=-recon / n, kl=kl / n, kl_per_dim=(kl_dims / n).float(),
        active_units=int(active_units(torch.cat(means).float()).sum()),
    )
