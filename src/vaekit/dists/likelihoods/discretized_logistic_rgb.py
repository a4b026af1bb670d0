"""A discretized logistic mixture over each pixel's channels jointly (PixelCNN++), for colour.

Each pixel draws one component k of K for all of its channels; given k, channel c is a
discretized logistic over the levels (as in ``discretized_logistic``) whose mean is moved by the
channels before it:

    m_kc = mu_kc + sum_{j<c} a_kjc (x_j - 1/2),   a = tanh(raw),
    P(x) = sum_k pi_k prod_c P(x_c | m_kc, s_kc)

(Salimans et al. 2017, eq. 3). The colours of real pixels are strongly correlated; a mixture
per channel spreads its mass over every combination of them, this one puts it where the colours
agree. Each conditional sums to one over the levels, so P does too: -log P is in nats of a
discrete likelihood and bits/dim are honest. On one channel it is the ``discretized_logistic``
mixture. The decoder gives ``components * (C + 2)`` maps per channel: the weights (summed over
the channels), means, log-scales and C - 1 coupling coefficients (channel c reads the first c).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from vaekit.dists.likelihoods.base import FactorizedDist
from vaekit.dists.likelihoods.discretized_logistic import (
    MIN_LOG_SCALE,
    DiscretizedLogistic,
    component_log_probs,
    component_means,
    draw_components,
    draw_levels,
)
from vaekit.registry import register


class JointDiscretizedLogisticDist(FactorizedDist):
    """logits (B, ..., K); means, log_scales (B, C, ..., K); coefs (B, C, ..., C-1, K), where
    coefs[:, c, ..., j, k] moves channel c's mean by x_j (only j < c are read)."""

    discrete = True

    def __init__(self, logits: Tensor, means: Tensor, log_scales: Tensor, coefs: Tensor,
                 levels: int, event_ndim: int) -> None:
        super().__init__(event_ndim)
        self.logits, self.means, self.log_scales, self.coefs = logits, means, log_scales, coefs
        self.levels = levels
        self.channels = means.shape[1]

    def _shift(self, c: int, before: Tensor) -> Tensor:
        """How far channel c's means move given ``before`` (B, c, ..., K): the values of the
        channels before it, per component (centred on mid-grey)."""
        return (self.coefs[:, c, ..., :c, :] * (before - 0.5).movedim(1, -2)).sum(-2)

    def log_prob_elementwise(self, x: Tensor) -> Tensor:
        """log P of each pixel's channels together: (B, 1, ...) nats."""
        before = x.unsqueeze(-1)
        means = torch.stack([self.means[:, c] + self._shift(c, before[:, :c])
                             for c in range(self.channels)], 1)
        half = 0.5 / (self.levels - 1)
        log_p = component_log_probs(x, means, self.log_scales, half).sum(1)
        return torch.logsumexp(F.log_softmax(self.logits, -1) + log_p, -1).unsqueeze(1)

    @property
    def mean(self) -> Tensor:
        """Channel by channel: each component's mean of channel c, its means moved by that
        component's means of the channels before (exact for the first channel, and wherever the
        coupling is zero), weighted by the components."""
        per_k: list[Tensor] = []
        for c in range(self.channels):
            before = torch.stack(per_k, 1) if per_k else self.means[:, :0]
            m = self.means[:, c] + self._shift(c, before)
            per_k.append(component_means(m, self.log_scales[:, c], self.levels))
        weights = torch.softmax(self.logits, -1).unsqueeze(1)
        return (weights * torch.stack(per_k, 1)).sum(-1)

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        """One component per pixel, then the channels in order, each given the ones drawn."""
        k = draw_components(self.logits, generator)  # (B, ..., 1)
        drawn: list[Tensor] = []
        for c in range(self.channels):
            before = torch.stack(drawn, 1).unsqueeze(-1) if drawn else self.means[:, :0]
            m = (self.means[:, c] + self._shift(c, before)).gather(-1, k).squeeze(-1)
            s = self.log_scales[:, c].gather(-1, k).squeeze(-1)
            drawn.append(draw_levels(m, s, self.levels, generator))
        return torch.stack(drawn, 1)


@register("likelihood", "discretized_logistic_rgb")
class JointDiscretizedLogistic(DiscretizedLogistic):
    """A discrete likelihood over ``levels`` grey levels per channel in [0, 1], the channels of
    each pixel one mixture of ``components`` logistics with linear coupling (PixelCNN++)."""

    def setup(self, shape: tuple[int, ...]) -> None:
        self.channels = int(shape[0])
        self.params_per_dim = self.components * (self.channels + 2)

    def forward(self, params: Tensor) -> JointDiscretizedLogisticDist:
        k, c = self.components, self.channels
        parts = self.split(params)  # params_per_dim maps of (B, C, ...)
        logits = torch.stack(parts[:k], -1).sum(1)
        # Centre the raw outputs on mid-grey, so an untrained decoder spreads over the levels.
        means = torch.stack(parts[k:2 * k], -1) + 0.5
        log_scales = torch.stack(parts[2 * k:3 * k], -1).clamp(min=MIN_LOG_SCALE)
        raw = torch.stack(parts[3 * k:], -1) if c > 1 else means[..., :0]  # (B, C, ..., (C-1)K)
        coefs = torch.tanh(raw).unflatten(-1, (c - 1, k))
        return JointDiscretizedLogisticDist(logits, means, log_scales, coefs, self.levels,
                                            params.dim() - 1)
