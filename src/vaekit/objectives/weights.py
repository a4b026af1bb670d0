"""The importance weights of a posterior's draws: the one place log w is formed.

    log w_k = log p(x | z_k) + log p(z_k) - log q(z_k | x),   z_k ~ q(z | x),
    IW_K = log (1/K) sum_k w_k  <=  log p(x)   (Burda et al. 2016; IW_1 is the ELBO in expectation).

The IWAE objective (its DReG gradient too), each epoch's held-out bound, ``vaekit evaluate`` and
its sharded long evaluations all take their log-weights from :func:`log_weights`. A posterior
hands over its draws with their log-density (``rsample_with_log_prob``), so nothing here scores a
draw a second time or asks which latent drew it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from vaekit.dists.gaussian import DiagGaussian
from vaekit.dists.protocols import Posterior, log_ratio
from vaekit.errors import ConfigError
from vaekit.model.vae import VAE


@dataclass
class Weights:
    """K draws for each of B examples, nats: ``log_w`` (K, B); ``log_px`` (K, B) log p(x | z_k);
    ``log_ratio`` (K, B) log q(z_k | x) - log p(z_k) (so log_w = log_px - log_ratio);
    ``layers`` (K, B, layers) that ratio per stochastic layer of a hierarchy, else None."""

    log_w: Tensor
    log_px: Tensor
    log_ratio: Tensor
    layers: Tensor | None


def log_weights(model: VAE, q: Posterior, x: Tensor, k: int,
                generator: torch.Generator | None = None, y: Tensor | None = None,
                dreg: bool = False) -> Weights:
    """log w of k draws of ``q`` (the posterior of x: (B, *shape), labels y: (B,) or None).

    The k draws go through the decoder as one batch of k*B (sample-major: rows k*B..k*B+B-1 hold
    draw k). Draw 0 uses the same noise as a single ``q.rsample(generator=g)`` would.
    With ``dreg`` the gradient is the doubly reparameterized one (Tucker et al. 2019): log q is
    taken with q's parameters held fixed, so they are reached only through the draws, and the
    gradient at draw k is scaled by its normalized weight once more, which makes the encoder's
    gradient sum_k wbar_k^2 d log w_k / dz_k dz_k / dphi (the decoder's and the bound's value
    are unchanged). Needs a diagonal Gaussian q (``moments``).
    """
    draw = q.rsample_with_log_prob(k, generator)  # z: (k, B, L)
    z, b = draw.z, len(x)
    xk = x.unsqueeze(0).expand(k, *x.shape).flatten(0, 1)  # (k*B, *shape)
    yk = None if y is None else y.repeat(k)  # matches the (k, B) -> k*B flattening
    log_px = model.decode(z.flatten(0, 1), yk, draw.readout).log_prob(xk).view(k, b)
    if dreg:
        moments = q.moments()
        if moments is None:
            raise ConfigError("objective.gradient=dreg needs a diagonal Gaussian posterior "
                              "(model.latent=gaussian)")
        held = DiagGaussian(moments[0].detach(), moments[1].detach())
        draw = replace(draw, log_q=held.log_prob(z))
    ratio = log_ratio(draw, model.prior)
    log_w = log_px - ratio
    if dreg and z.requires_grad:
        wbar = torch.softmax(log_w.detach(), dim=0).unsqueeze(-1)
        z.register_hook(lambda grad: grad * wbar)
    return Weights(log_w, log_px, ratio, draw.layers)


def iw_bound(log_w: Tensor) -> Tensor:
    """log (1/K) sum_k w_k from log_w: (K, B) -> (B,), by logsumexp (no overflow)."""
    return torch.logsumexp(log_w, dim=0) - math.log(log_w.shape[0])
