"""The uniform prior over a code grid: what a VQ-VAE trains under (its bound charges T log K).

It is the vector-quantized latent's own prior. A prior fitted on the codes after training (the
latent declares which: ``caps.fitted_prior``, fitted by ``vaekit train-prior RUN``) replaces it
when the run is opened; until then its samples are noise, and it says so.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import torch
from torch import Tensor


class UniformCodes:
    """p(c) = prod_t 1/K over the T positions of ``grid`` (a code-grid latent: ``positions``,
    ``codebook_size``, ``embed``, ``codes_of``)."""

    standard_normal = False

    def __init__(self, grid: Any) -> None:
        self.grid = grid
        self.dim = grid.latent_dim
        self.description = (f"uniform over {grid.codebook_size} codes at {grid.positions} "
                            "positions (no prior fitted on the codes yet)")

    def gaussian(self) -> None:
        return None

    def log_prob_per_position(self, codes: Tensor) -> Tensor:
        """log p(c_t) = -log K: (B, T) nats; codes: (B, T) int64."""
        return torch.full(codes.shape, -math.log(self.grid.codebook_size), device=codes.device)

    def log_prob(self, z: Tensor) -> Tensor:
        """log p(codes) summed over positions: (...,) nats. ``z``: (..., T) int64 codes, or
        (..., D*T) codebook vectors as the decoder reads them (mapped back to their codes)."""
        codes = self.grid.codes_of(z) if z.is_floating_point() else z
        return self.log_prob_per_position(codes.reshape(-1, codes.shape[-1])).sum(-1).view(
            codes.shape[:-1])

    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, D*T) codebook vectors of uniformly drawn grids (noise: fit a prior first)."""
        warnings.warn("this model has no prior fitted on its codes: drawing them uniformly gives "
                      "noise (run vaekit train-prior RUN first)", stacklevel=3)
        codes = torch.randint(self.grid.codebook_size, (n, self.grid.positions),
                              generator=generator, device=device)
        return self.grid.embed(codes)

    def center(self) -> Tensor:
        """(D*T,) the mean code vector under the uniform prior."""
        book = self.grid.codebook.detach().float().cpu()
        return book.mean(0).repeat_interleave(self.grid.positions)

    def scale(self) -> Tensor:
        book = self.grid.codebook.detach().float().cpu()
        return book.std(0).repeat_interleave(self.grid.positions)
