"""The importance-weighted bound (Burda et al. 2016), batched over K samples.

    log p(x) >= L_K = E[log (1/K) sum_k w_k],  w_k = p(x|z_k) p(z_k) / q(z_k|x),  z_k ~ q(z|x).

L_1 is the ELBO (with a one-sample estimate of the KL instead of the closed form) and L_K rises
towards log p(x) as K grows.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from vaekit.dists.gaussian import DiagGaussian
from vaekit.errors import ConfigError
from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, LossOut
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne, IWGradient


def log_weights(model: VAE, x: Tensor, k: int, generator: torch.Generator | None = None,
                y: Tensor | None = None, dreg: bool = False) -> tuple[Tensor, Tensor, Any]:
    """log w_k for x: (B, *shape): returns (log_w (K, B), log p(x|z_k) (K, B), q(z|x)), nats.

    The K draws go through the decoder as one batch of K*B (sample-major: rows k*B..k*B+B-1 hold
    draw k). Draw 0 uses the same noise as a single ``q.rsample(generator=g)`` would.
    With ``dreg`` the gradient of the bound is the doubly reparameterized one (Tucker et al.
    2019): log q is taken with q's parameters held fixed, so they are reached only through the
    draws, and the gradient at draw k is scaled by its normalized weight once more, which makes
    the encoder's gradient sum_k wbar_k^2 d log w_k / dz_k dz_k / dphi (the decoder's and the
    bound's value are unchanged). Needs a diagonal Gaussian q (``moments``).
    """
    q = model.encode(x, y)
    z = q.rsample(k, generator=generator)  # (K, B, L)
    b = len(x)
    xk = x.unsqueeze(0).expand(k, *x.shape).reshape(k * b, *x.shape[1:])
    yk = None if y is None else y.repeat(k)
    log_px = model.decode(z.reshape(k * b, -1), yk).log_prob(xk).view(k, b)
    held = q
    if dreg:
        moments = q.moments()
        if moments is None:
            raise ConfigError("objective.gradient=dreg needs a diagonal Gaussian posterior "
                              "(model.latent=gaussian)")
        held = DiagGaussian(moments[0].detach(), moments[1].detach())
    log_w = log_px + model.prior.log_prob(z) - held.log_prob(z)
    if dreg and z.requires_grad:
        wbar = torch.softmax(log_w.detach(), dim=0).unsqueeze(-1)
        z.register_hook(lambda grad: grad * wbar)
    return log_w, log_px, q


def iw_bound(log_w: Tensor) -> Tensor:
    """log (1/K) sum_k w_k from log_w: (K, B) -> (B,), by logsumexp (no overflow)."""
    return torch.logsumexp(log_w, dim=0) - math.log(log_w.shape[0])


@register("objective", "iwae")
class Iwae:
    """Trains on -L_K with K = ``objective.k``; evaluation (step None) returns the same L_K.

    ``bound`` is L_K per example (what it trains on and what ``test_loss`` reports); ``recon`` and
    ``kl`` are the single-sample ELBO terms (draw 0 and the closed-form KL, or draw 0's Monte Carlo
    KL), for monitoring only,
    so ``train_loss`` in metrics.csv is the one-sample -ELBO. Stats: ``neg_elbo`` (comparable
    with other runs' -ELBO) and ``iw_ess``, the effective sample size 1 / sum_k wbar_k^2 in [1, K]
    of the normalized weights (near 1: one sample dominates, the bound is close to the ELBO).
    """

    train_name = "-ELBO"  # the one-sample terms of draw 0

    def __init__(self, k: AtLeastOne = 5, gradient: IWGradient = "standard") -> None:
        self.k, self.dreg = k, gradient == "dreg"
        self.bound_name = f"-L_{k}"

    def beta_at(self, step: int) -> float:
        return 1.0

    def __call__(self, model: VAE, batch: Batch, step: int | None,
                 generator: torch.Generator | None = None) -> LossOut:
        dreg = self.dreg and step is not None and torch.is_grad_enabled()
        log_w, log_px, q = log_weights(model, batch.x, self.k, generator, batch.y, dreg)
        bound = iw_bound(log_w)
        loss = -bound.mean()
        wbar = torch.softmax(log_w.detach(), dim=0)
        if dreg:  # the bound's value, the gradient of sum_k wbar_k log w_k (see log_weights)
            surrogate = (wbar * log_w).sum(0).mean()
            loss = loss.detach() - (surrogate - surrogate.detach())
        kl_per_dim = q.kl_per_dim(model.prior)
        # Closed form where it exists, else the Monte Carlo KL of draw 0: log q - log p there.
        kl = kl_per_dim.sum(-1) if kl_per_dim is not None else (log_px[0] - log_w[0]).detach()
        stats = {"neg_elbo": (kl - log_px[0]).detach().mean(),
                 "iw_ess": (1.0 / (wbar**2).sum(0)).mean()}
        return LossOut(loss=loss, bound=bound, recon=log_px[0], kl=kl,
                       kl_per_dim=kl_per_dim, latent_mean=q.mean, stats=stats)
