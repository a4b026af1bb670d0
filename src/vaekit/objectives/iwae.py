"""The importance-weighted bound (Burda et al. 2016), batched over K samples.

    log p(x) >= L_K = E[log (1/K) sum_k w_k],  w_k = p(x|z_k) p(z_k) / q(z_k|x),  z_k ~ q(z|x).

L_1 is the ELBO (with a one-sample estimate of the KL instead of the closed form) and L_K rises
towards log p(x) as K grows.
"""

from __future__ import annotations

import torch

from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, LossOut
from vaekit.objectives.weights import iw_bound, log_weights
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne, IWGradient


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
    adaptation = None  # a fixed KL weight

    def __init__(self, k: AtLeastOne = 5, gradient: IWGradient = "standard") -> None:
        self.k, self.dreg = k, gradient == "dreg"
        self.bound_name = f"-L_{k}"

    def beta_at(self, step: int) -> float:
        return 1.0

    def __call__(self, model: VAE, batch: Batch, step: int | None,
                 generator: torch.Generator | None = None) -> LossOut:
        dreg = self.dreg and step is not None and torch.is_grad_enabled()
        q = model.encode(batch.x, batch.y)
        w = log_weights(model, q, batch.x, self.k, generator, batch.y, dreg)
        log_w, log_px = w.log_w, w.log_px
        bound = iw_bound(log_w)
        loss = -bound.mean()
        wbar = torch.softmax(log_w.detach(), dim=0)
        if dreg:  # the bound's value, the gradient of sum_k wbar_k log w_k (see log_weights)
            surrogate = (wbar * log_w).sum(0).mean()
            loss = loss.detach() - (surrogate - surrogate.detach())
        kl_per_dim = q.kl_per_dim(model.prior)
        # Closed form where it exists, else the Monte Carlo KL of draw 0: log q - log p there.
        kl = kl_per_dim.sum(-1) if kl_per_dim is not None else w.log_ratio[0].detach()
        stats = {"neg_elbo": (kl - log_px[0]).detach().mean(),
                 "iw_ess": (1.0 / (wbar**2).sum(0)).mean()}
        return LossOut(loss=loss, bound=bound, recon=log_px[0], kl=kl,
                       kl_per_dim=kl_per_dim, latent_mean=q.mean, stats=stats)
