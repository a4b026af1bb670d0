"""p(codes) of a VQ-VAE: uniform while it trains, then the autoregressive prior fitted on its codes."""

from __future__ import annotations

import math
import warnings
from typing import Any, Protocol

import torch
from torch import Tensor


class CodeNet(Protocol):
    """An autoregressive distribution over (B, T) code grids (see dists/priors/code_transformer)."""

    def log_prob_per_position(self, codes: Tensor) -> Tensor: ...

    def sample(self, n: int, temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor: ...


class CodePrior:
    """The VQ-VAE's prior, as ``model.prior``. ``net`` is None until a trained prior is attached
    (``vaekit train-prior RUN``; loaded by ``vaekit.artifacts.prior_files.attach_code_prior``).

    Without ``net`` the prior is uniform over the K codes at each of the T positions -- the prior
    the VQ-VAE is trained under (its bound charges T log K nats) -- and its samples are noise.
    """

    def __init__(self, latent: Any) -> None:
        self.latent = latent  # the VectorQuantizer: codebook, positions, codebook_size
        self.net: CodeNet | None = None

    def log_prob_per_position(self, codes: Tensor) -> Tensor:
        """log p(c_t | c_<t): (B, T) nats; codes: (B, T) int64."""
        if self.net is None:
            return torch.full(codes.shape, -math.log(self.latent.codebook_size),
                              device=codes.device)
        return self.net.log_prob_per_position(codes)

    def log_prob(self, codes: Tensor) -> Tensor:
        """log p(codes) summed over the T positions: (...,) nats. ``codes``: (..., T) int64, or
        (..., D*T) codebook vectors as the decoder reads them (mapped back to their codes)."""
        if codes.is_floating_point():
            codes = self.latent.codes_of(codes)
        lead = codes.shape[:-1]
        return self.log_prob_per_position(codes.reshape(-1, codes.shape[-1])).sum(-1).view(lead)

    def sample_codes(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
                     generator: torch.Generator | None = None) -> Tensor:
        """(n, T) int64 code grids; the temperature divides the autoregressive logits."""
        if self.net is None:
            warnings.warn("this VQ-VAE has no trained prior over its codes: drawing them uniformly "
                          "gives noise (run vaekit train-prior RUN first)", stacklevel=3)
            shape = (n, self.latent.positions)
            return torch.randint(self.latent.codebook_size, shape, generator=generator,
                                 device=device)
        return self.net.sample(n, temperature, generator).to(device)

    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, D*T) codebook vectors of sampled code grids: what the decoder reads."""
        return self.latent.embed(self.sample_codes(n, device, temperature, generator))
