"""Discretized logistic (mixture) p(x|z) over grey levels: a true probability for each level.

Each pixel takes one of ``levels`` values x_j = j / (levels - 1) in [0, 1]. Level j owns the bin
[x_j - h, x_j + h] with h = 1 / (2 (levels - 1)), the outer bins extended to -inf and +inf, and a
mixture of ``components`` logistics (means m, scales s, weights pi) gives it the probability

    P(x_j) = sum_k pi_k [sigmoid((x_j + h - m_k) / s_k) - sigmoid((x_j - h - m_k) / s_k)]

(Salimans et al. 2017, PixelCNN++; here independent per channel). The levels sum to one, so
-log P is in nats of a discrete likelihood and bits/dim are honest. 8-bit images have 256
levels; scikit-learn's digits 17.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood
from vaekit.errors import DataError
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne, AtLeastTwo

# Smallest log-scale of a component: a bin is then ~e^7 scales wide, so one level can hold
# all the mass without the logits overflowing.
MIN_LOG_SCALE = -7.0


def log_bin_mass(a: Tensor, b: Tensor) -> Tensor:
    """log(sigmoid(a) - sigmoid(b)) for a > b, stable for any a, b:
    -softplus(-a) - softplus(b) + log(1 - exp(b - a))."""
    return -F.softplus(-a) - F.softplus(b) + torch.log(-torch.expm1(b - a))


def component_log_probs(x: Tensor, means: Tensor, log_scales: Tensor, half: float) -> Tensor:
    """log P(x | component) of each logistic over the levels: x (...), means and log_scales
    (..., K) -> (..., K). The bins are x +- ``half``, the outer ones open to -inf and +inf."""
    x = x.unsqueeze(-1)
    inv = torch.exp(-log_scales)
    upper = (x + half - means) * inv
    lower = (x - half - means) * inv
    inner = log_bin_mass(upper, lower)
    first = -F.softplus(-upper)  # log sigmoid(upper): the bin (-inf, x_0 + h]
    last = -F.softplus(lower)  # log(1 - sigmoid(lower)): the bin [x_last - h, inf)
    return torch.where(x < half, first, torch.where(x > 1 - half, last, inner))


def component_means(means: Tensor, log_scales: Tensor, levels: int) -> Tensor:
    """The exact mean over the levels of each logistic: x_0 + sum over the inner bin edges e of
    (x_{j+1} - x_j) P(X > e), accumulated edge by edge (memory of one edge at a time)."""
    inv = torch.exp(-log_scales)
    step = 1.0 / (levels - 1)
    total = torch.zeros_like(means)
    for j in range(levels - 1):
        total = total + torch.sigmoid((means - (j + 0.5) * step) * inv)
    return total * step


def draw_levels(means: Tensor, log_scales: Tensor, levels: int,
                generator: torch.Generator | None) -> Tensor:
    """One draw of each logistic, rounded to the nearest of the levels in [0, 1]."""
    u = torch.rand(means.shape, generator=generator, device=means.device).clamp_(1e-6, 1 - 1e-6)
    value = means + torch.exp(log_scales) * (torch.log(u) - torch.log1p(-u))
    return torch.round(value.clamp(0, 1) * (levels - 1)) / (levels - 1)


def draw_components(logits: Tensor, generator: torch.Generator | None) -> Tensor:
    """One component index per row of ``logits`` (..., K) -> (..., 1)."""
    weights = torch.softmax(logits, -1)
    k = torch.multinomial(weights.reshape(-1, weights.shape[-1]), 1, generator=generator)
    return k.reshape(*weights.shape[:-1], 1)


class DiscretizedLogisticDist(FactorizedDist):
    """logits, means, log_scales: (B, C, ..., K) for K components over ``levels`` levels."""

    discrete = True

    def __init__(self, logits: Tensor, means: Tensor, log_scales: Tensor, levels: int,
                 event_ndim: int) -> None:
        super().__init__(event_ndim)
        self.logits, self.means, self.log_scales = logits, means, log_scales
        self.levels = levels
        self.half = 0.5 / (levels - 1)

    def log_prob_elementwise(self, x: Tensor) -> Tensor:
        log_p = component_log_probs(x, self.means, self.log_scales, self.half)
        return torch.logsumexp(F.log_softmax(self.logits, -1) + log_p, -1)

    @property
    def mean(self) -> Tensor:
        """The exact mean over the levels, the components' means weighted."""
        weights = torch.softmax(self.logits, -1)
        return (weights * component_means(self.means, self.log_scales, self.levels)).sum(-1)

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        k = draw_components(self.logits, generator)
        return draw_levels(self.means.gather(-1, k).squeeze(-1),
                           self.log_scales.gather(-1, k).squeeze(-1), self.levels, generator)


@register("likelihood", "discretized_logistic")
class DiscretizedLogistic(Likelihood):
    """A discrete likelihood over ``levels`` evenly spaced grey levels in [0, 1]: a mixture of
    ``components`` logistics per pixel (3 decoder channels per component, 2 for one)."""

    discrete = True
    support = (0.0, 1.0)

    def __init__(self, levels: AtLeastTwo = 256, components: AtLeastOne = 1) -> None:
        super().__init__()
        self.levels, self.components = int(levels), int(components)
        self.params_per_dim = 2 * self.components + (self.components > 1) * self.components

    def forward(self, params: Tensor) -> DiscretizedLogisticDist:
        parts = [p.unsqueeze(-1) for p in self.split(params)]
        k = self.components
        if k == 1:
            means, log_scales = parts
            logits = torch.zeros_like(means)
        else:
            logits = torch.cat(parts[:k], -1)
            means, log_scales = torch.cat(parts[k:2 * k], -1), torch.cat(parts[2 * k:], -1)
        # Centre the raw outputs on mid-grey, so an untrained decoder spreads over the levels.
        means = means + 0.5
        return DiscretizedLogisticDist(logits, means, log_scales.clamp(min=MIN_LOG_SCALE),
                                       self.levels, params.dim() - 1)

    def check_support(self, x: Tensor, binarized: bool) -> None:
        """The data must lie on the levels: 8-bit pixels for 256 levels, j / (levels - 1)
        otherwise (DataError naming the levels that fit)."""
        super().check_support(x, binarized)
        if x.dtype == torch.uint8:
            if self.levels != 256:
                raise DataError(f"likelihood 'discretized_logistic' with {self.levels} levels on "
                                "8-bit pixels: set model.likelihood_args.levels=256")
            return
        if binarized:
            return
        scaled = x.double() * (self.levels - 1)
        if bool(((scaled - scaled.round()).abs() > 1e-4).any()):
            raise DataError(f"likelihood 'discretized_logistic': the data are not on its "
                            f"{self.levels} levels j/{self.levels - 1}; set "
                            "model.likelihood_args.levels to the number of grey levels, or "
                            "choose model.likelihood=continuous_bernoulli for continuous values")
