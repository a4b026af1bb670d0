"""What a latent sampler is: a source of codes z that the decoder turns into samples."""

from __future__ import annotations

from typing import Protocol

import torch
from torch import Tensor

from vaekit.explore.encode import posterior_moments
from vaekit.model.vae import VAE


class Sampler(Protocol):
    """Draws latent codes for ``model.decode``; ``name`` is its registered name.

    ``on_model_device``: it draws on the model's device (the prior) rather than the CPU (a
    fitted density's tensors); ``description`` says what it is, for captions.
    """

    name: str
    on_model_device: bool
    description: str

    def sample(self, n: int, generator: torch.Generator | None = None,
               temperature: float = 1.0) -> Tensor:
        """(n, L) codes; ``temperature`` scales the spread around the centre(s)."""
        ...


@torch.no_grad()
def decode_codes(model: VAE, z: Tensor, y: Tensor | None = None, stochastic: bool = False,
                 generator: torch.Generator | None = None) -> Tensor:
    """Codes z: (n, L) (labels y: (n,) for a conditional model) -> (n, *shape) decoded samples,
    the likelihood mean unless ``stochastic``."""
    px = model.decode(z.to(model.device), None if y is None else y.to(model.device))
    return px.sample(generator) if stochastic else px.mean


@torch.no_grad()
def posterior_means(model: VAE, x: Tensor, y: Tensor | None = None,
                    batch_size: int = 1000) -> Tensor:
    """E_q[z|x] (the codes of a deterministic latent) for x: (N, *shape) -> (N, L), on the CPU."""
    return posterior_moments(model, x, y, batch_size)[0]


def draw_images(model: VAE, sampler: Sampler, n_codes: int, labels: Tensor | None = None,
                seed: int = 0, temperature: float = 1.0, stochastic: bool = False) -> Tensor:
    """Decode ``n_codes`` draws of ``sampler``: (m, *shape), m = len(labels) or n_codes.

    With labels (m,), m a multiple of n_codes, the codes are tiled so that each block of
    n_codes images reuses the same codes (one grid row per label in ``parse_label``'s order).
    With the prior sampler and no labels this equals ``model.sample(n, generator=seeded)``.
    """
    g = torch.Generator(device=model.device).manual_seed(seed)
    # The prior draws on the model's device; fitted samplers hold CPU tensors.
    zg = g if sampler.on_model_device else torch.Generator().manual_seed(seed)
    z = sampler.sample(n_codes, zg, temperature)
    if labels is not None:
        z = z.repeat(len(labels) // n_codes, 1)
    return decode_codes(model, z, labels, stochastic, g)
