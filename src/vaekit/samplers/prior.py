"""The model's own prior p(z) as a sampler (N(0, T^2 I) for the standard normal prior)."""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.model.vae import VAE
from vaekit.registry import register


@register("sampler", "prior")
class PriorSampler:
    """z ~ p(z) of ``model`` (draws on the model's device), scaled by ``temperature``."""

    name = "prior"
    on_model_device = True

    def __init__(self, model: VAE) -> None:
        self.model = model
        self.description = f"the prior p(z) = {model.prior.description}"

    def sample(self, n: int, generator: torch.Generator | None = None,
               temperature: float = 1.0) -> Tensor:
        return self.model.prior.sample(n, self.model.device, temperature, generator)
