"""Inverse autoregressive flow posterior (Kingma et al. 2016): a Gaussian reshaped by MADE steps.

    z_0 = mu(h) + sigma(h) * eps,  eps ~ N(0, I)
    z_t = s_t * z_{t-1} + (1 - s_t) * m_t,   (m_t, log s_t) = MADE_t(z_{t-1}, c(h)),  s_t in (0, 1)
    log q(z_T | x) = log N(z_0; mu, sigma^2) - sum_t sum_i log s_{t,i}

Each MADE step's outputs for coordinate i read only the coordinates before i (in an order that
flips from one step to the next) and the context c(h) of the example, so each step's Jacobian
is triangular and its log|det| is sum_i log s_i: a draw carries its log-density for the cost of
drawing it. Scoring any other z inverts the flow one coordinate at a time (L passes per step).
q has no closed-form mean: ``mean`` is the flow of the base mean (eps = 0), the embedding the
latent declares for encodings, traversals and the explorer.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit.dists.draw import Draw
from vaekit.dists.gaussian import DiagGaussian
from vaekit.model.latents.base import LatentCaps
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne

# s_t = sigmoid(raw + GATE_BIAS): each step starts close to the identity (s near 0.88), as the
# paper initializes its forget-gate-like update.
GATE_BIAS = 2.0


class Made(nn.Module):
    """(..., L) z and (..., C) context -> (m, raw gate), each (..., L); output i reads z_j only for
    j before i in ``order`` (``reverse``: L-1 first)."""

    def __init__(self, dim: int, hidden: int, context: int, reverse: bool) -> None:
        super().__init__()
        order = torch.arange(dim).flip(0) if reverse else torch.arange(dim)
        self.first_to_last = order.argsort().tolist()  # coordinates in the order they are read
        degree = torch.arange(hidden) % max(dim - 1, 1)  # a hidden unit sees inputs up to it
        self.register_buffer("mask_in", (degree[:, None] >= order[None, :]).float(),
                             persistent=False)
        self.register_buffer("mask_out", (order[:, None] > degree[None, :]).float().repeat(2, 1),
                             persistent=False)
        self.inp = nn.Linear(dim, hidden)
        self.ctx = nn.Linear(context, hidden)
        self.out = nn.Linear(hidden, 2 * dim)
        nn.init.zeros_(self.out.weight)  # every step starts as the same contraction of z
        nn.init.zeros_(self.out.bias)

    def forward(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        h = F.elu(F.linear(z, self.inp.weight * self.mask_in, self.inp.bias) + self.ctx(context))
        m, raw = F.linear(h, self.out.weight * self.mask_out, self.out.bias).chunk(2, -1)
        return m, raw + GATE_BIAS


class IafPosterior:
    """q(z|x) for B examples: the base N(mu, sigma^2) (B, L), the context (B, C) and the steps."""

    deterministic = False

    def __init__(self, base: DiagGaussian, context: Tensor, steps: nn.ModuleList) -> None:
        self.base, self.context, self.steps = base, context, steps

    def _forward(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """z_0 (..., B, L) -> (z_T, sum of log s over steps and coordinates, (..., B))."""
        log_det = torch.zeros(z.shape[:-1], dtype=z.dtype, device=z.device)
        for step in self.steps:
            m, raw = step(z, self.context)
            gate = torch.sigmoid(raw)
            z = gate * z + (1 - gate) * m
            log_det = log_det + F.logsigmoid(raw).sum(-1)
        return z, log_det

    def _inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """z_T -> (z_0, the same log-determinant): each step undone one coordinate per pass."""
        log_det = torch.zeros(z.shape[:-1], dtype=z.dtype, device=z.device)
        for step in reversed(self.steps):
            prev = torch.zeros_like(z)
            for i in step.first_to_last:  # coordinate i reads only those already undone
                m, raw = step(prev, self.context)
                gate = torch.sigmoid(raw[..., i])
                prev[..., i] = (z[..., i] - (1 - gate) * m[..., i]) / gate
            log_det = log_det + F.logsigmoid(step(prev, self.context)[1]).sum(-1)
            z = prev
        return z, log_det

    def rsample(self, n: int | None = None, generator: torch.Generator | None = None) -> Tensor:
        return self._forward(self.base.rsample(n, generator))[0]

    def rsample_with_log_prob(self, n: int | None = None,
                              generator: torch.Generator | None = None) -> Draw:
        """Draws (..., B, L) and log q at them from the base density and the steps' log|det|."""
        z0 = self.base.rsample(n, generator)
        z, log_det = self._forward(z0)
        return Draw(z, self.base.log_prob(z0) - log_det)

    def log_prob(self, z: Tensor) -> Tensor:
        """log q(z|x) at any z (..., B, L): (..., B) nats, by inverting the flow."""
        z0, log_det = self._inverse(z)
        return self.base.log_prob(z0) - log_det

    @cached_property
    def mean(self) -> Tensor:
        """(B, L): the flow of the base mean, the embedding of each example."""
        return self._forward(self.base.mu)[0]

    def kl_per_dim(self, prior: object = None) -> None:
        """None: no closed form; the KL is the Monte Carlo estimate at each draw."""
        return None

    def moments(self) -> None:
        """None: q is not a diagonal Gaussian."""
        return None

    def log_ratio_layers(self, prior: object, z: Tensor) -> None:
        """None: one layer."""
        return None


@register("latent", "iaf")
class IafLatent(nn.Module):
    """Features h: (B, feature_dim) -> IafPosterior over z: (B, latent_dim).

    ``steps``: MADE steps on the Gaussian base; ``hidden``: width of each MADE and of the
    context c(h) it reads.
    """

    caps = LatentCaps(gaussian_units=False, embedding="flow of the base mean")

    def __init__(self, feature_dim: int, latent_dim: int, steps: AtLeastOne = 2,
                 hidden: AtLeastOne = 128) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.mu = nn.Linear(feature_dim, latent_dim)
        self.logvar = nn.Linear(feature_dim, latent_dim)
        self.context = nn.Linear(feature_dim, hidden)
        self.steps = nn.ModuleList(Made(latent_dim, hidden, hidden, reverse=i % 2 == 1)
                                   for i in range(steps))

    @classmethod
    def decoder_dim(cls, latent_dim: int, args: Mapping[str, Any]) -> int:
        return latent_dim

    def own_prior(self) -> None:
        return None

    def layer_sizes(self) -> None:
        return None

    def forward(self, h: Tensor) -> IafPosterior:
        base = DiagGaussian(self.mu(h), self.logvar(h))
        return IafPosterior(base, F.elu(self.context(h)), self.steps)
