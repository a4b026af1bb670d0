"""A learned mixture of Gaussians as p(z) (the "MoG prior" of Tomczak & Welling 2018).

K components with free means and log-variances in z's own coordinates:

    p(z) = (1/K) sum_k N(z; mu_k, diag exp(logvar_k)).

Unlike the VampPrior it never runs the encoder, so it costs nothing per step however deep the
encoder is; it suits a small top latent (the top group of a hierarchy). Means start as draws of
N(0, I) and variances at 1. Example config::

    model.prior: mog
    model.prior_args: {components: 100}
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from vaekit.dists.priors.base import PriorContext
from vaekit.dists.priors.mixture import DiagGaussianMixture
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne


class MixturePrior(DiagGaussianMixture):
    """``mu`` and ``logvar`` (K, L) are its parameters, saved with the model."""

    def __init__(self, dim: int, components: int) -> None:
        super().__init__(dim, components)
        self.description = f"mixture of {components} learned Gaussians"
        self.mu = nn.Parameter(torch.randn(components, dim))
        self.logvar = nn.Parameter(torch.zeros(components, dim))

    def components_moments(self) -> tuple[Tensor, Tensor]:
        return self.mu, self.logvar


@register("prior", "mog")
def mog(ctx: PriorContext, components: AtLeastOne = 100) -> MixturePrior:
    """Uniform mixture of ``components`` diagonal Gaussians with learned means and variances."""
    return MixturePrior(ctx.latent_dim, components)
