"""A prior fitted on a run's codes after training: ``prior.safetensors`` + ``prior.json``.

The JSON names the registered prior and its options, how it was trained, its held-out numbers,
and the sha256 of ``model.safetensors`` it was fitted on (codes change when the model does).
Opening the run (``vaekit.artifacts.run_context``) builds it through the registry and puts it
where the model's prior stands, whatever the model is.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file

from vaekit.errors import ConfigError, RunError
from vaekit.model.vae import VAE
from vaekit.store.fitted_prior import PRIOR_JSON, PRIOR_WEIGHTS, build_fitted_prior
from vaekit.store.model_files import weights_digest


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


def prior_digest(run: str | Path) -> str:
    """The sha256 of the run's fitted prior, or "trained" when the model keeps the prior it
    trained under: what cached numbers that depend on p(z) are stamped with."""
    path = Path(run) / PRIOR_WEIGHTS
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "trained"
