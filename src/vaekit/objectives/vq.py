"""The VQ-VAE objective (van den Oord et al. 2017).

    loss = -log p(x | z_q(x)) + ||sg(z_e) - e||^2 + commitment * ||z_e - sg(e)||^2

(the codebook term is dropped when the latent updates its codebook by EMA). The bound it stands
for: q(z|x) is a point mass on the code grid z_q(x) and the prior is uniform over the K codes at
each of the T positions while the VQ-VAE trains, so

    log p(x) >= log p(x | z_q(x)) - KL,   KL = T log K nats (a constant).

In general KL(q || p) = -log p(z_q(x)) for a point mass q: once ``vaekit train-prior`` has
attached the autoregressive prior, the same code gives log p(x | z_q(x)) + log p_prior(z_q(x)),
the bound whose negative the VQ-VAE literature reports as its NLL (van den Oord et al. 2017,
sec. 3.2: log p(x) ~ log p(x|z_q(x)) p(z_q(x)); by Jensen it is a lower bound on log p(x)).
"""

from __future__ import annotations

import torch

from vaekit.dists.priors.base import CodeGrid
from vaekit.errors import ConfigError
from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, LossOut
from vaekit.registry import register
from vaekit.registry.constraints import NonNegative


@register("objective", "vq")
class VQLoss:
    """Reconstruction + codebook + ``objective.commitment`` (0.25) * commitment, nats per example.

    ``bound`` = recon + log p(codes) (recon - T log K under the uniform prior the VQ-VAE trains
    with); ``loss`` in evaluation is -bound. Stats: ``perplexity`` (exp of the entropy of the batch's code
    frequencies, at most K), ``codebook_usage`` (fraction of codes used in the batch) and
    ``commitment`` (mean ||z_e - e||^2 per example).
    """

    bound_name = "-ELBO"
    train_name = "-ELBO"
    adaptation = None  # a fixed KL weight

    def __init__(self, commitment: NonNegative = 0.25) -> None:
        self.commitment = commitment

    def beta_at(self, step: int) -> float:
        return 1.0

    def __call__(self, model: VAE, batch: Batch, step: int | None,
                 generator: torch.Generator | None = None) -> LossOut:
        if not isinstance(model.latent, CodeGrid):
            raise ConfigError("objective.name=vq needs model.latent=vector_quantized")
        q = model.encode(batch.x, batch.y)
        recon = model.decode(q.z, batch.y).log_prob(batch.x)
        kl = -model.prior.log_prob(q.codes).to(recon.dtype)  # T log K under the uniform prior
        bound = recon - kl
        if step is None:
            loss = -bound.mean()
        else:
            loss = (-recon + q.codebook + self.commitment * q.commitment).mean()
        stats = {**q.stats, "commitment": q.commitment.detach().mean()}
        # No latent_mean: "active units" (variance of a posterior mean) has no meaning for codes;
        # codebook_usage and perplexity are the VQ's own diagnostics.
        return LossOut(loss=loss, bound=bound, recon=recon, kl=kl, stats=stats)
