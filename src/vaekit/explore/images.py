"""Prior samples and reconstructions as image batches."""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.errors import UserError
from vaekit.model.vae import VAE


def _require_images(model: VAE) -> None:
    if len(model.shape) != 3:
        raise UserError(f"this model's data are rows of {model.shape[0]} columns, not images")


def sample_images(model: VAE, n: int, seed: int = 0, temperature: float = 1.0,
                  stochastic: bool = False) -> Tensor:
    """n decoded draws of the model's prior (spread scaled by T): (n, C, H, W), the likelihood
    mean by default."""
    _require_images(model)
    g = torch.Generator(device=model.device).manual_seed(seed)
    return model.sample(n, temperature=temperature, generator=g, stochastic=stochastic)


def reconstruction_pairs(model: VAE, x: Tensor, y: Tensor | None = None) -> Tensor:
    """x: (n, C, H, W) -> (2n, C, H, W): the n originals, then their reconstructions (labels y:
    (n,) for a conditional model)."""
    _require_images(model)
    y = None if y is None else y.to(model.device)
    return torch.cat([x, model.reconstruct(x.to(model.device), y).cpu()])
