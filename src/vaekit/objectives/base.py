"""What every objective takes and returns, so the trainer and evaluation never special-case one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import Tensor

from vaekit.data.batches import Batch
from vaekit.model.vae import VAE
from vaekit.objectives.schedules import KLAdaptation


@dataclass
class LossOut:
    """``loss``: the scalar to minimize. Per-example (B,) terms in nats: ``bound`` is the lower
    bound on log p(x) the objective stands for, ``recon`` = E_q[log p(x|z)], ``kl`` the KL term
    (bound = recon - kl for the ELBO). ``kl_per_dim`` (B, L) and ``latent_mean`` (B, L) feed the
    diagnostics; ``stats`` are extra scalars logged per epoch (e.g. codebook perplexity)."""

    loss: Tensor
    bound: Tensor
    recon: Tensor
    kl: Tensor
    kl_per_dim: Tensor | None = None
    latent_mean: Tensor | None = None
    stats: dict[str, Tensor] = field(default_factory=dict)


class Objective(Protocol):
    """Built from the ``objective`` config section; called on one batch.

    ``step`` is the optimizer step while training (schedules depend on it) and None when
    evaluating, where ``loss`` must be the honest -bound (beta = 1, no free bits).
    ``bound_name`` names -bound (the held-out number of each epoch line, ``-ELBO``, ``-L_5``);
    ``train_name`` names -(recon - kl), what the training part of the line averages.
    ``adaptation``: the state of a KL weight that follows the validation split (the trainer
    hands it each epoch's validation reconstruction and checkpoints it), None when fixed.
    """

    bound_name: str
    train_name: str
    adaptation: KLAdaptation | None

    def __call__(self, model: VAE, batch: Batch, step: int | None,
                 generator: torch.Generator | None = None) -> LossOut: ...

    def beta_at(self, step: int) -> float: ...
