"""A VQ-VAE's trained code prior in its run folder: ``prior.safetensors`` + ``prior.json``.

The JSON holds the prior's constructor arguments, how it was trained, its held-out numbers, and
the sha256 of ``model.safetensors`` it was fitted on (codes change when the VQ-VAE does).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

import vaekit
from vaekit.artifacts.atomic import atomic_write, write_json
from vaekit.artifacts.sampler_files import weights_digest
from vaekit.dists.priors.code_transformer import CodeTransformer
from vaekit.errors import RunError, UserError
from vaekit.model.latents.code_prior import CodePrior
from vaekit.model.vae import VAE

PRIOR_WEIGHTS, PRIOR_JSON = "prior.safetensors", "prior.json"


def is_vq(model: VAE) -> bool:
    return isinstance(model.prior, CodePrior)


def save_code_prior(run: str | Path, net: CodeTransformer, meta: dict[str, Any]) -> None:
    """Weights first, JSON last: a prior.json always describes complete weights."""
    run = Path(run)
    tensors = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    atomic_write(run / PRIOR_WEIGHTS, lambda p: save_file(tensors, str(p)))
    write_json(run / PRIOR_JSON, {"prior": "code_transformer", "vaekit_version": vaekit.__version__,
                                  "config": net.config(), **meta})


def load_code_prior(run: str | Path) -> tuple[CodeTransformer, dict[str, Any]] | None:
    """The saved prior and its JSON, or None when the run has none; RunError when corrupt."""
    run = Path(run)
    if not (run / PRIOR_JSON).exists():
        return None
    try:
        meta = json.loads((run / PRIOR_JSON).read_text())
        net = CodeTransformer(**meta["config"])
        net.load_state_dict(load_file(str(run / PRIOR_WEIGHTS)))
    except (OSError, json.JSONDecodeError, SafetensorError, KeyError, TypeError, ValueError,
            RuntimeError) as exc:
        raise RunError(f"{run / PRIOR_JSON}: corrupt code prior ({type(exc).__name__}); run "
                       f"vaekit train-prior {run} again") from None
    return net.eval(), meta


def attach_code_prior(model: VAE, run: str | Path, required: bool = True) -> bool:
    """Give a VQ-VAE the prior saved in ``run``; True if attached. Other models: False.

    ``required``: a VQ-VAE without a saved prior is a UserError naming the command to run.
    """
    if not is_vq(model):
        return False
    saved = load_code_prior(run)
    if saved is None:
        if required:
            raise UserError(f"{run} is a VQ-VAE without a prior over its codes: run "
                            f"vaekit train-prior {run} first")
        return False
    net, meta = saved
    if meta.get("model_sha256") != weights_digest(run):
        warnings.warn(f"the code prior in {run} was fitted on other weights of the VQ-VAE (trained "
                      f"further since?); run vaekit train-prior {run} again", stacklevel=2)
    lat = model.latent
    if (net.codebook_size, net.positions) != (lat.codebook_size, lat.positions):
        raise RunError(f"{run / PRIOR_JSON} does not match the model's code grid; run "
                       f"vaekit train-prior {run} again")
    model.prior.net = net.to(model.device)
    return True
