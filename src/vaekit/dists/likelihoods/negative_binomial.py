"""Negative binomial p(x|z) over rows of counts: mean rho(z) * l, inverse dispersion theta.

Var x_d = mu_d + mu_d^2 / theta_d: overdispersed counts (gene expression, word and event
counts), a Poisson as theta grows. ``dispersion``: one theta per feature, learned with the model
(``feature``, scVI's default), or one per feature of each example from the decoder
(``example``). Library size and encoder input as every count likelihood (``count_base``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit.dists.counts import nb_log_prob, sample_nb
from vaekit.dists.likelihoods.count_base import CountDist, CountLikelihood
from vaekit.registry import register
from vaekit.registry.constraints import CountDispersion, NonNegative


class NegativeBinomialDist(CountDist):
    """``log_theta``: (B, D) or (D,) log inverse dispersion."""

    def __init__(self, log_rho: Tensor, log_theta: Tensor,
                 library: tuple[float, float] | None) -> None:
        super().__init__(log_rho, library)
        self.log_theta = log_theta

    def log_pmf(self, x: Tensor, log_mu: Tensor) -> Tensor:
        return nb_log_prob(x, log_mu, self.log_theta)

    def draw(self, mu: Tensor, generator: torch.Generator | None) -> Tensor:
        return sample_nb(mu, self.log_theta, generator)


@register("likelihood", "negative_binomial")
class NegativeBinomial(CountLikelihood):
    """NB counts; ``dispersion``: ``feature`` (learned, one per feature) or ``example``."""

    # Decoder outputs per feature besides the logits of the proportions and a dispersion.
    extra_outputs = 0

    def __init__(self, dispersion: CountDispersion = "feature", library_log_mean: float | None = None,
                 library_log_std: NonNegative = 1.0) -> None:
        super().__init__(library_log_mean, library_log_std)
        if dispersion not in ("feature", "example"):
            raise ValueError(f"dispersion {dispersion!r}: feature or example")
        self.per_example = dispersion == "example"
        self.params_per_dim = 1 + self.per_example + self.extra_outputs
        self.log_theta: nn.Parameter | None = None

    def setup(self, shape: tuple[int, ...]) -> None:
        super().setup(shape)
        if not self.per_example:  # theta = 1 at the start: a strongly overdispersed guess
            self.log_theta = nn.Parameter(torch.zeros(shape[0]))

    def parts(self, params: Tensor) -> tuple[Tensor, Tensor, tuple[Tensor, ...]]:
        """(log-proportions, log theta, the extra outputs) of (B, k*D) decoder outputs."""
        out = self.split(params)
        log_theta = out[1] if self.per_example else self.log_theta
        assert log_theta is not None  # setup made it
        return F.log_softmax(out[0], dim=-1), log_theta, out[1 + self.per_example:]

    def forward(self, params: Tensor) -> NegativeBinomialDist:
        log_rho, log_theta, _ = self.parts(params)
        return NegativeBinomialDist(log_rho, log_theta, self.library)
