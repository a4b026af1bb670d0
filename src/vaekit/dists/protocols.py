"""What a posterior q(z|x) and a prior p(z) declare: the typed seams every consumer uses.

Evaluation, exploration, serving, the report and the samplers talk to these protocols only; no
module outside a component names its class or probes it with ``hasattr``. A new posterior or
prior satisfies the protocol and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import torch
from torch import Tensor

from vaekit.dists.draw import Draw

if TYPE_CHECKING:
    from vaekit.dists.gaussian import DiagGaussian


@runtime_checkable
class Prior(Protocol):
    """p(z) over the ``dim`` numbers the decoder reads.

    ``description`` names it for users (``"N(0, I)"``, ``"top-down ladder prior ..."``); it
    goes into eval.json, the report and the explorer. ``standard_normal`` is True only for
    N(0, I). ``gaussian()`` is p(z) as one diagonal Gaussian when it is one (a closed-form KL
    exists), else None: the KL is then estimated by Monte Carlo.
    """

    dim: int
    description: str
    standard_normal: bool

    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, dim) draws; ``temperature`` scales the spread of every draw."""
        ...

    def log_prob(self, z: Tensor) -> Tensor:
        """log p(z) summed over the last dimension: z (..., dim) -> (...,) nats."""
        ...

    def gaussian(self) -> DiagGaussian | None:
        """p(z) as a diagonal Gaussian broadcastable against z, or None if it is not one."""
        ...

    def center(self) -> Tensor:
        """(dim,) the mean of p(z): the base code of traversals."""
        ...

    def scale(self) -> Tensor:
        """(dim,) the standard deviation of each coordinate under p(z): traversals sweep
        center +- R * scale."""
        ...


@runtime_checkable
class Posterior(Protocol):
    """q(z|x) for a batch of B examples over z: (B, L).

    ``deterministic``: every draw is the same (a point mass), so one importance sample is exact
    and there are no Gaussian units to collapse. ``kl_per_dim(prior)`` is the closed-form KL per
    coordinate, or None where none exists (then a Monte Carlo estimate of the same draws is
    used). ``moments()`` is (mu, logvar) of a diagonal Gaussian q (the mutual information needs
    them), or None. ``log_ratio_layers(prior, z)`` splits log q(z|x) - log p(z) over the
    stochastic layers of a hierarchical latent (the Monte Carlo KL of each layer), or is None
    for a latent of one layer.
    """

    deterministic: bool

    @property
    def mean(self) -> Tensor:
        """(B, L): the embedding of each example."""
        ...

    def rsample(self, n: int | None = None, generator: torch.Generator | None = None) -> Tensor:
        """Reparameterized draws (B, L), or (n, B, L) when ``n`` is given."""
        ...

    def rsample_with_log_prob(self, n: int | None = None,
                              generator: torch.Generator | None = None) -> Draw:
        """The draws of ``rsample(n, generator)`` (the same noise) with log q(z|x) at them."""
        ...

    def log_prob(self, z: Tensor) -> Tensor:
        """log q(z|x): z (..., B, L) -> (..., B) nats, at any z (for a flow: by inverting it,
        slowly; its own draws come with their density from ``rsample_with_log_prob``)."""
        ...

    def kl_per_dim(self, prior: Prior | None = None) -> Tensor | None:
        """Closed-form KL(q || prior) per coordinate, (B, L) nats, or None."""
        ...

    def moments(self) -> tuple[Tensor, Tensor] | None:
        """(mu, logvar), each (B, L), when q is a diagonal Gaussian; else None."""
        ...

    def log_ratio_layers(self, prior: Prior, z: Tensor) -> Tensor | None:
        """(..., B, layers) log q(z_l | .) - log p(z_l | .) of each layer at z (..., B, L),
        summing to log q(z|x) - log p(z); None for a latent of one layer."""
        ...


@torch.no_grad()
def sampled_moments(prior: Prior, params: Iterable[Tensor], device: torch.device | str = "cpu",
                    n: int = 4096, seed: int = 0) -> tuple[Tensor, Tensor]:
    """(center, scale), each (dim,) on the CPU: the mean and standard deviation of ``n`` seeded
    draws of ``prior`` (drawn on ``device``), for priors without closed-form moments.

    Kept on the prior until one of ``params`` (the tensors it depends on) changes, so that
    ``center()`` and ``scale()`` draw once (an autoregressive prior draws slowly)."""
    key = tuple(p._version for p in params)
    cached = prior.__dict__.get("_sampled_moments")
    if cached is not None and cached[0] == key:
        return cached[1]
    g = torch.Generator(device=device).manual_seed(seed)
    z = prior.sample(n, device, 1.0, g).float().cpu()
    prior.__dict__["_sampled_moments"] = (key, (z.mean(0), z.std(0)))
    return z.mean(0), z.std(0)


def log_ratio(draw: Draw, prior: Prior) -> Tensor:
    """log q(z|x) - log p(z) at the draws, (..., B) nats: the prior's density from the draw
    where the posterior walked it, else from ``prior``."""
    if draw.layers is not None:
        return draw.layers.sum(-1)
    log_p = draw.log_p if draw.log_p is not None else prior.log_prob(draw.z)
    return draw.log_q - log_p


def kl_terms(q: Posterior, prior: Prior, draw: Draw) -> tuple[Tensor, Tensor | None]:
    """KL(q || prior) per example (B,) nats and per coordinate (B, L) or None.

    Closed form where the pair has one; otherwise the one-sample Monte Carlo estimate
    log q(z|x) - log p(z) at the ``draw`` (z: (B, L)) the reconstruction term used (unbiased; a
    single value may be negative).
    """
    per_dim = q.kl_per_dim(prior)
    if per_dim is not None:
        return per_dim.sum(-1), per_dim
    return log_ratio(draw, prior), None
