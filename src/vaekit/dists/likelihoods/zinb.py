"""Zero-inflated negative binomial p(x|z): a structural zero with probability pi(z), else NB.

For counts with more zeros than an NB of their mean gives (dropouts in single-cell data).
p(x_d) = pi_d [x_d = 0] + (1 - pi_d) NB(x_d; rho_d l, theta_d); the decoder gives the logits of
pi per feature of each example, besides the proportions (and the dispersion with
``dispersion=example``).
"""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.dists.counts import sample_nb, zinb_log_prob
from vaekit.dists.likelihoods.negative_binomial import NegativeBinomial, NegativeBinomialDist
from vaekit.registry import register
from vaekit.registry.constraints import CountDispersion, NonNegative


class ZINBDist(NegativeBinomialDist):
    """``zero_logits``: (B, D) logits of the structural-zero probability pi."""

    def __init__(self, log_rho: Tensor, log_theta: Tensor, zero_logits: Tensor,
                 library: tuple[float, float] | None) -> None:
        super().__init__(log_rho, log_theta, library)
        self.zero_logits = zero_logits

    def log_pmf(self, x: Tensor, log_mu: Tensor) -> Tensor:
        return zinb_log_prob(x, log_mu, self.log_theta, self.zero_logits)

    def expected(self, mu: Tensor) -> Tensor:
        return torch.sigmoid(-self.zero_logits) * mu

    def draw(self, mu: Tensor, generator: torch.Generator | None) -> Tensor:
        counts = sample_nb(mu, self.log_theta, generator)
        u = torch.rand(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return torch.where(u < torch.sigmoid(self.zero_logits), torch.zeros_like(counts), counts)


@register("likelihood", "zinb")
class ZeroInflatedNegativeBinomial(NegativeBinomial):
    """ZINB counts; ``dispersion``: ``feature`` (learned, one per feature) or ``example``."""

    extra_outputs = 1

    def __init__(self, dispersion: CountDispersion = "feature", library_log_mean: float | None = None,
                 library_log_std: NonNegative = 1.0) -> None:
        super().__init__(dispersion, library_log_mean, library_log_std)

    def forward(self, params: Tensor) -> ZINBDist:
        log_rho, log_theta, (zero_logits,) = self.parts(params)
        return ZINBDist(log_rho, log_theta, zero_logits, self.library)
