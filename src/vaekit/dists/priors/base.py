"""What a prior builder receives: the sizes of z and of x, and the model's encoder.

A prior registers with ``@register("prior", name)`` as ``builder(ctx: PriorContext, **args)``;
``model.prior_args`` are bound to the builder's signature (``vaekit validate`` lists the valid
options). A prior that is an ``nn.Module`` has its parameters saved with the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from torch import Tensor, nn

from vaekit.dists.protocols import Posterior
from vaekit.errors import ConfigError


@dataclass
class PriorContext:
    """``latent_dim``: numbers in z (what the decoder reads); ``shape``: one example's shape.

    ``encode``: u (K, *shape) -> q(z|u) through the model's encoder and latent (the components of
    a mixture of posteriors), or None for a conditional model, whose posterior needs labels.
    ``latent``: the latent module, for priors over its own coordinates (code grids).
    """

    latent_dim: int
    shape: tuple[int, ...]
    encode: Callable[[Tensor], Posterior] | None = None
    latent: nn.Module | None = None


@runtime_checkable
class CodeGrid(Protocol):
    """A latent whose z is a grid of T codes from a codebook of K vectors (the VQ latent)."""

    positions: int
    codebook_size: int
    latent_dim: int

    def embed(self, codes: Tensor) -> Tensor:
        """(B, T) int64 codes -> (B, D*T) codebook vectors, as the decoder reads them."""
        ...

    def codes_of(self, z: Tensor) -> Tensor:
        """(..., D*T) codebook vectors -> (..., T) their codes."""
        ...


def code_grid(ctx: PriorContext, prior: str) -> CodeGrid:
    """The code-grid latent of ``ctx``; ConfigError when the model has none."""
    if not isinstance(ctx.latent, CodeGrid):
        raise ConfigError(f"prior {prior!r} is a prior over a code grid: it needs "
                          "model.latent=vector_quantized")
    return ctx.latent
