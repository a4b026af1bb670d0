"""The ladder latent (Sonderby et al. 2016): L Gaussian layers, top-down inference.

The seam: the encoder's features h are the first bottom-up state d_1; this module owns
everything between them and the decoder. Bottom-up, d_l = MLP(d_{l-1}) gives each layer an
estimate N(mu^_l, s^_l). Top-down, p(z_L) = N(0, I) and p(z_l | z_{l+1}) = N(mu_p, s_p) from an
MLP; the posterior q(z_l | z_{l+1}, x) is the precision-weighted combination of the bottom-up
estimate and that prior (q(z_L | x) is the top estimate itself). z = [z_1, ..., z_L]
concatenated, (B, sum of sizes), is what the decoder reads: as in NVAE, every layer reaches the
decoder. ``model.latent_dim`` is the size of z_1; ``layers`` lists the sizes above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit.dists.gaussian import DiagGaussian, StandardNormal
from vaekit.dists.protocols import Prior
from vaekit.model.latents.base import LatentCaps
from vaekit.model.latents.iaf import IafPosterior, Made
from vaekit.model.latents.ladder import LadderPosterior, LadderPrior, Path
from vaekit.registry import register
from vaekit.registry.constraints import Count

LAYERS, HIDDEN = (10,), 256
Pick = Callable[[int, DiagGaussian | None, Any], Tensor]


# Log-variances are held in [-LOGVAR_BOUND, LOGVAR_BOUND], inside float32's exp range (88.7).
# Trained ladders make many units of z_l nearly a function of z_{l+1}: prior log-variances of -20
# to -70 are common, and the posterior follows them (precision weighting). The top-down MLP is
# evaluated at sampled parents, where it can extrapolate further: past -88.7, exp(-logvar) was
# inf, (z - mu)^2 * inf with z == mu was nan, and configs/hvae.yaml died after 177 epochs. The
# clamp binds only at the edge of that range, so runs saved before it load unchanged.
LOGVAR_BOUND = 80.0


def gaussian(params: Tensor) -> DiagGaussian:
    """(..., 2L) -> N(mu, exp(logvar)) with the two halves as mu and logvar (logvar bounded)."""
    mu, logvar = params.chunk(2, -1)
    return DiagGaussian(mu, logvar.clamp(-LOGVAR_BOUND, LOGVAR_BOUND))


def combine(a: DiagGaussian, b: DiagGaussian) -> DiagGaussian:
    """Precision-weighted combination: 1/s^2 = 1/s_a^2 + 1/s_b^2, mu = s^2 (mu_a/s_a^2 + mu_b/s_b^2)."""
    logvar = -torch.logaddexp(-a.logvar, -b.logvar)
    mu = a.mu * torch.exp(logvar - a.logvar) + b.mu * torch.exp(logvar - b.logvar)
    return DiagGaussian(mu, logvar)


@register("latent", "hierarchical")
class LadderLatent(nn.Module):
    """Features h: (B, feature_dim) -> LadderPosterior over z: (B, latent_dim + sum(layers)).

    ``layers``: sizes of z_2..z_L, bottom to top; ``hidden``: width of the bottom-up and
    top-down MLPs (one hidden layer each). ``flow_steps``: MADE steps of an inverse
    autoregressive flow (``iaf.py``) on the top layer's Gaussian q(z_L | x) (0: none).
    """

    caps = LatentCaps(prior_on_top=True)

    def __init__(self, feature_dim: int, latent_dim: int, layers: Sequence[int] = LAYERS,
                 hidden: int = HIDDEN, flow_steps: Count = 0) -> None:
        super().__init__()
        if not layers or min(layers) < 1 or hidden < 1:
            raise ValueError("layers must list at least one positive size (the layers above z_1) "
                             "and hidden must be positive")
        self.sizes = [latent_dim, *(int(s) for s in layers)]
        self.latent_dim = sum(self.sizes)
        n = len(self.sizes)
        self.up = nn.ModuleList(nn.Sequential(nn.Linear(feature_dim if i == 0 else hidden, hidden),
                                              nn.ReLU()) for i in range(n - 1))
        self.heads = nn.ModuleList(nn.Linear(feature_dim if i == 0 else hidden, 2 * s)
                                   for i, s in enumerate(self.sizes))
        self.down = nn.ModuleList(
            nn.Sequential(nn.Linear(self.sizes[i + 1], hidden), nn.ReLU(),
                          nn.Linear(hidden, 2 * self.sizes[i])) for i in range(n - 1))
        self.top_prior: Prior = StandardNormal(self.sizes[-1])
        self.flow_steps = flow_steps
        if flow_steps:  # only then: the weights of runs without a flow keep their names
            self.top_context = nn.Linear(hidden, hidden)
            self.top_flow = nn.ModuleList(Made(self.sizes[-1], hidden, hidden, reverse=i % 2 == 1)
                                          for i in range(flow_steps))

    @classmethod
    def decoder_dim(cls, latent_dim: int, args: Mapping[str, Any]) -> int:
        """The decoder reads every layer: latent_dim + sum(layers)."""
        return latent_dim + sum(int(s) for s in args.get("layers", LAYERS))

    def own_prior(self) -> LadderPrior:
        """The top-down path is the prior: p(z_L) (N(0, I) or the model's prior), p(z_l | z_{l+1})."""
        return LadderPrior(self, self.top_prior)

    def top_posterior(self, h: Tensor) -> Any:
        """q(z_L | x): the top layer's bottom-up estimate (a flow on it with ``flow_steps``),
        from features h (B, feature_dim)."""
        return self.forward(h).estimates[-1]

    def put_prior_on_top(self, prior: Prior) -> None:
        self.top_prior = prior  # an nn.Module prior registers as the submodule ``top_prior``

    def layer_sizes(self) -> list[int]:
        return list(self.sizes)

    def forward(self, h: Tensor) -> LadderPosterior:
        """Bottom-up pass: one Gaussian estimate per layer, bottom to top."""
        estimates: list[Any] = []
        d = h
        for i, head in enumerate(self.heads):
            if i > 0:
                d = self.up[i - 1](d)
            estimates.append(gaussian(head(d)))
        if self.flow_steps:  # the top layer's Gaussian reshaped by the flow, read against d
            estimates[-1] = IafPosterior(estimates[-1], F.elu(self.top_context(d)), self.top_flow)
        return LadderPosterior(self, estimates)

    def descend(self, estimates: list[Any] | None, pick: Pick) -> Path:
        """The top-down walk shared by inference, evaluation and generation.

        At layer l (from the top): p_l is ``top_prior`` on top, else p(z_l | z_{l+1}); q_l is the top
        estimate, else combine(estimate_l, p_l) (None without ``estimates``: generation); then
        z_l = pick(l, q_l, p_l). Returns z = [z_1..z_L] and the q_l, p_l, bottom to top.
        """
        n = len(self.sizes)
        zs: list[Tensor] = [torch.empty(0)] * n
        qs: list[Any] = [None] * n
        ps: list[Any] = [self.top_prior] * n
        for i in reversed(range(n)):
            if i < n - 1:
                ps[i] = gaussian(self.down[i](zs[i + 1]))
            if estimates is not None:
                p = ps[i]
                qs[i] = estimates[i] if i == n - 1 else combine(estimates[i], p)  # type: ignore[arg-type]
            zs[i] = pick(i, qs[i], ps[i])
        return Path(torch.cat(zs, -1), qs, ps)
