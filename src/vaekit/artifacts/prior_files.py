"""A prior fitted on a run's codes after training: ``prior.safetensors`` + ``prior.json``.

The JSON names the registered prior and its options, how it was trained, its held-out numbers,
and the sha256 of ``model.safetensors`` it was fitted on (codes change when the model does).
Opening the run (``vaekit.artifacts.run_context``) builds it through the registry and puts it
where the model's prior stands, whatever the model is.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

import vaekit
from vaekit import registry
from vaekit.dists.priors.base import PriorContext
from vaekit.errors import ConfigError, RunError
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


def read_prior_json(run: str | Path) -> dict[str, Any] | None:
    """The run's prior.json, or None when it has none; RunError when it is corrupt."""
    path = Path(run) / PRIOR_JSON
    if not path.exists():
        return None
    try:
        meta = json.loads(path.read_text())
        if not isinstance(meta, dict) or not isinstance(meta.get("config"), dict):
            raise TypeError("not a prior description")
        return meta
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise RunError(f"{path}: corrupt fitted prior ({type(exc).__name__}); run "
                       f"vaekit train-prior {run} again") from None


def attach_fitted_prior(model: VAE, run: str | Path) -> bool:
    """Give ``model`` the prior fitted in ``run``, if there is one; True if attached."""
    run = Path(run)
    meta = read_prior_json(run)
    if meta is None:
        return False
    try:
        prior = build_fitted_prior(model, str(meta.get("prior", "")), meta["config"])
        prior.load_state_dict(load_file(str(run / PRIOR_WEIGHTS)))
    except (OSError, SafetensorError, ConfigError, KeyError, TypeError, ValueError,
            RuntimeError) as exc:
        raise RunError(f"{run / PRIOR_JSON}: the fitted prior does not load or does not match "
                       f"the model ({type(exc).__name__}); run vaekit train-prior {run} "
                       "again") from None
    if meta.get("model_sha256") != weights_digest(run):
        warnings.warn(f"the prior in {run} was fitted on other weights of the model (trained "
                      f"further since?); run vaekit train-prior {run} again", stacklevel=2)
    model.prior = prior.to(model.device).eval()
    return True
