"""Tabular runs: generated rows and per-column reconstruction error in the data's own units."""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.errors import UserError
from vaekit.explore.labels import decode_labels
from vaekit.model.vae import VAE


def _require_rows(model: VAE) -> None:
    if len(model.shape) != 1:
        raise UserError(f"this model's data are images of shape {model.shape}, not table rows")


def unstandardize(x: Tensor, mean: Tensor, std: Tensor) -> Tensor:
    """Standardized rows (N, D) -> original units: x * std + mean (mean, std: (D,))."""
    return x * std.to(x) + mean.to(x)


@torch.no_grad()
def generate_rows(model: VAE, n: int, mean: Tensor, std: Tensor, seed: int = 0,
                  temperature: float = 1.0, stochastic: bool = False) -> Tensor:
    """n decoded prior draws as rows in the original column units: (n, D)."""
    _require_rows(model)
    g = torch.Generator(device=model.device).manual_seed(seed)
    rows = model.sample(n, temperature=temperature, generator=g, stochastic=stochastic,
                        y=decode_labels(model, n))
    return unstandardize(rows.cpu(), mean, std)


@torch.no_grad()
def column_errors(model: VAE, x: Tensor, std: Tensor, y: Tensor | None = None) -> Tensor:
    """Root-mean-square reconstruction error per column, in the column's original units: (D,).

    x: (N, D) standardized rows; the reconstruction decodes the posterior mean.
    """
    _require_rows(model)
    y = decode_labels(model, len(x), y)
    recon = model.decode(model.encode(x.to(model.device), y).mean, y).mean.cpu()
    return ((recon - x.cpu()) ** 2).mean(0).sqrt() * std.to(recon)
