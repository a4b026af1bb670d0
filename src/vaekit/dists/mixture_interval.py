"""A 1-D Gaussian mixture on an interval: its probability mass there and draws truncated to it.

Both work in float64 on the log scale and from the tail nearer each component (the mass of
[a, b) is taken as Phi(-a) - Phi(-b) when a lies above the component's mean), so an interval
many standard deviations away still has a finite, positive log-mass rather than 0 - 0.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.special import log_ndtr, ndtri


def _log_sub(big: Tensor, small: Tensor) -> Tensor:
    """log(exp(big) - exp(small)) for big >= small; -inf where they are equal."""
    diff = (small - big).clamp(max=0.0)
    return torch.where(big > small, big + torch.log(-torch.expm1(diff)),
                       torch.full_like(big, -torch.inf))


def _standard(mean: Tensor, sd: Tensor, lo: Tensor | float, hi: Tensor | float
              ) -> tuple[Tensor, Tensor, Tensor]:
    """(a, b, upper): the interval in each component's standard units, and where it lies above
    the mean (then it is measured from the upper tail)."""
    a, b = (lo - mean) / sd, (hi - mean) / sd
    return a, b, a > 0


def component_log_mass(mean: Tensor, sd: Tensor, lo: Tensor | float, hi: Tensor | float
                       ) -> Tensor:
    """log P(lo <= x < hi) of each Gaussian N(mean, sd) (any shape, broadcast): nats."""
    a, b, upper = _standard(mean.double(), sd.double(), lo, hi)
    # Above the mean the interval is measured from the upper tail: Phi(-a) - Phi(-b).
    return _log_sub(log_ndtr(torch.where(upper, -a, b)), log_ndtr(torch.where(upper, -b, a)))


def log_mass(log_w: Tensor, mean: Tensor, sd: Tensor, lo: Tensor | float,
             hi: Tensor | float) -> Tensor:
    """log P(lo <= x < hi) of the mixture sum_m w_m N(mean_m, sd_m): (..., M) -> (...) nats
    (-inf where the interval has no mass)."""
    return torch.logsumexp(log_w.double() + component_log_mass(mean, sd, lo, hi), -1)


def truncated_draw(log_w: Tensor, mean: Tensor, sd: Tensor, lo: Tensor | float,
                   hi: Tensor | float, generator: torch.Generator | None = None
                   ) -> tuple[Tensor, Tensor]:
    """One draw of x ~ mixture restricted to [lo, hi) for each mixture, and the interval's
    log-mass: (..., M) -> ((...) float64, (...) nats). The component is drawn by its share of
    the interval's mass, the value by the inverse CDF of that component on the interval. NaN
    where the interval has no mass."""
    mean, sd = mean.double(), sd.double()
    log_c = log_w.double() + component_log_mass(mean, sd, lo, hi)  # (..., M)
    total = torch.logsumexp(log_c, -1, keepdim=True)
    probs = torch.exp(log_c - total).nan_to_num(0.0)
    flat = probs.reshape(-1, probs.shape[-1])
    empty = flat.sum(-1) <= 0
    flat = torch.where(empty[:, None], torch.ones_like(flat), flat)
    pick = torch.multinomial(flat, 1, generator=generator).reshape(*probs.shape[:-1], 1)
    m, s = mean.gather(-1, pick).squeeze(-1), sd.gather(-1, pick).squeeze(-1)
    lo_t = torch.as_tensor(lo, dtype=torch.float64, device=m.device).expand_as(m)
    hi_t = torch.as_tensor(hi, dtype=torch.float64, device=m.device).expand_as(m)
    a, b, upper = _standard(m, s, lo_t, hi_t)
    u = torch.rand(m.shape, generator=generator, device=m.device, dtype=torch.float64)
    # Lower tail: Phi(x) uniform on [Phi(a), Phi(b)); upper tail: Phi(-x) on (Phi(-b), Phi(-a)].
    p_lo = torch.where(upper, torch.special.ndtr(-b), torch.special.ndtr(a))
    p_hi = torch.where(upper, torch.special.ndtr(-a), torch.special.ndtr(b))
    t = ndtri((p_lo + u * (p_hi - p_lo)).clamp(1e-300, 1 - 1e-16))
    x = m + s * torch.where(upper, -t, t)
    x = torch.minimum(torch.maximum(x, lo_t), torch.nextafter(hi_t, lo_t))  # stay inside
    total = total.squeeze(-1)
    return torch.where(empty.reshape(m.shape) | ~torch.isfinite(total),
                       torch.full_like(x, torch.nan), x), total
