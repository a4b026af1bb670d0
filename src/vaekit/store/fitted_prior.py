"""The files of a prior fitted on a run's codes after training: ``prior.safetensors`` (its
tensors) and ``prior.json`` (the registered prior, its options, how it was fitted, its held-out
numbers and the sha256 of the ``model.safetensors`` it was fitted on). Written here, where
training fits one too; read back by ``vaekit.artifacts.prior_files``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torch import nn

import vaekit
from vaekit import registry
from vaekit.dists.priors.base import PriorContext
from vaekit.model.vae import VAE
from vaekit.store.atomic import write_json, write_tensors
from vaekit.store.model_files import weights_digest

PRIOR_WEIGHTS, PRIOR_JSON = "prior.safetensors", "prior.json"
# Constructor keys that prior.json files of vaekit 0.1 also stored, and that come from the model.
_FROM_MODEL = ("codebook_size", "positions")


def prior_context(model: VAE) -> PriorContext:
    """What a prior fitted on ``model``'s codes is built with."""
    return PriorContext(latent_dim=int(model.latent.latent_dim), shape=model.shape,
                        latent=model.latent)


def build_fitted_prior(model: VAE, name: str, args: dict[str, Any]) -> nn.Module:
    """The registered prior ``name`` with options ``args``, for ``model``'s codes."""
    args = {k: v for k, v in args.items() if k not in _FROM_MODEL}
    return registry.get("prior", name)(prior_context(model), **registry.bind("prior", name, args))


def save_fitted_prior(run: str | Path, name: str, args: dict[str, Any], prior: nn.Module,
                      meta: dict[str, Any]) -> None:
    """Weights first, JSON last: a prior.json always describes complete weights."""
    run = Path(run)
    tensors = {k: v.detach().cpu().contiguous() for k, v in prior.state_dict().items()}
    write_tensors(run / PRIOR_WEIGHTS, tensors)
    write_json(run / PRIOR_JSON, {"prior": name, "vaekit_version": vaekit.__version__,
                                  "config": args, "model_sha256": weights_digest(run), **meta})
