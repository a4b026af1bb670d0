"""An objective's bound over a whole split, in batches, with the per-dimension KL and active units."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, Objective


@dataclass
class SplitResult:
    """Means over a split, nats per example: ``loss`` = -bound, ``recon`` = -E_q[log p(x|z)]."""

    loss: float
    recon: float
    kl: float
    kl_per_dim: Tensor | None  # (L,) mean over examples
    active_units: int | None
    stats: dict[str, float] = field(default_factory=dict)


def active_units(means: Tensor, threshold: float = 0.01) -> Tensor:
    """Burda et al. 2015: unit u is active when Var_x(E_q[z_u | x]) > threshold. means: (N, L)."""
    return means.var(0) > threshold


@torch.no_grad()
def evaluate_split(
    model: VAE, objective: Objective, x: Tensor, y: Tensor | None = None,
    batch_size: int = 1000, generator: torch.Generator | None = None,
) -> SplitResult:
    """The objective's evaluation-mode bound over x: (N, *shape) float, preprocessed."""
    sums = torch.zeros(3, dtype=torch.float64)
    kl_dims: Tensor | None = None
    means: list[Tensor] = []
    stats: dict[str, float] = {}
    for i in range(0, len(x), batch_size):
        batch = Batch(x[i : i + batch_size], None if y is None else y[i : i + batch_size])
        out = objective(model, batch, None, generator)
        sums += torch.stack([out.bound.sum(), out.recon.sum(), out.kl.sum()]).double().cpu()
        if out.kl_per_dim is not None:
            part = out.kl_per_dim.double().sum(0).cpu()
            kl_dims = part if kl_dims is None else kl_dims + part
        if out.latent_mean is not None:
            means.append(out.latent_mean.flatten(1).float().cpu())
        for k, v in out.stats.items():
            stats[k] = stats.get(k, 0.0) + float(v) * len(batch)
    n = len(x)
    return SplitResult(
        loss=-float(sums[0]) / n, recon=-float(sums[1]) / n, kl=float(sums[2]) / n,
        kl_per_dim=None if kl_dims is None else (kl_dims / n).float(),
        active_units=int(active_units(torch.cat(means)).sum()) if means else None,
        stats={k: v / n for k, v in stats.items()},
    )
