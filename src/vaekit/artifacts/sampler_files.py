"""Fitted samplers in a run folder: ``samplers/<name>.safetensors`` + ``samplers/<name>.json``.

The JSON records what the sampler was fitted on, including the sha256 of ``model.safetensors``
at fitting time: a sampler fitted on other weights (say, before ``--resume``) is refitted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

import vaekit
from vaekit.artifacts.atomic import atomic_write, write_json
from vaekit.artifacts.model_files import WEIGHTS, read_run_config
from vaekit.errors import RunError
from vaekit.model.vae import VAE
from vaekit.samplers import GaussianMixtureSampler, PriorSampler, Sampler, posterior_means

FOLDER = "samplers"


def weights_digest(run: str | Path) -> str:
    return hashlib.sha256((Path(run) / WEIGHTS).read_bytes()).hexdigest()


def save_gmm(run: str | Path, gmm: GaussianMixtureSampler, meta: dict[str, Any]) -> None:
    """Write the mixture's tensors and ``meta`` (plus versions) atomically, JSON last."""
    folder = Path(run) / FOLDER
    tensors = {k: v.contiguous() for k, v in gmm.state().items()}
    atomic_write(folder / "gmm.safetensors", lambda p: save_file(tensors, str(p)))
    write_json(folder / "gmm.json", {"sampler": "gmm", "vaekit_version": vaekit.__version__,
                                     "n_components": gmm.n_components, **meta})


def load_gmm(run: str | Path) -> tuple[GaussianMixtureSampler, dict[str, Any]] | None:
    """The saved mixture and its JSON, or None when the run has none; RunError when corrupt."""
    folder = Path(run) / FOLDER
    if not (folder / "gmm.json").exists():
        return None
    try:
        meta = json.loads((folder / "gmm.json").read_text())
        return GaussianMixtureSampler.from_state(load_file(str(folder / "gmm.safetensors"))), meta
    except (OSError, json.JSONDecodeError, SafetensorError, KeyError, RuntimeError) as exc:
        raise RunError(f"{folder} holds a corrupt gmm sampler ({type(exc).__name__}); delete "
                       "it to refit") from None


def fit_gmm(model: VAE, run: str | Path, components: int = 10, seed: int = 0) -> GaussianMixtureSampler:
    """Fit a mixture to the posterior means of the run's training split (labels for a CVAE)."""
    from vaekit.data import heldout_tensor, load_data

    cfg, _ = read_run_config(run)
    ds = load_data(cfg.data)
    mode = cfg.data.binarize if ds.kind == "image" else "none"
    # One fixed binarization of the training split (the held-out seed), as the encoder saw it.
    x = heldout_tensor(ds.train, mode, model.device)
    codes = posterior_means(model, x, ds.train_labels)
    return GaussianMixtureSampler.fit(codes, components, seed)


def open_sampler(model: VAE, run: str | Path, name: str = "auto", components: int = 10,
                 seed: int = 0) -> Sampler:
    """``prior``; ``gmm`` (loaded from the run, or fitted and saved there); ``auto`` = gmm for a
    model without a usable prior (deterministic latent), prior otherwise."""
    if name == "auto":
        name = "prior" if getattr(model.latent, "has_prior", True) else "gmm"
    if name == "prior":
        return PriorSampler(model)
    digest = weights_digest(run)
    saved = load_gmm(run)
    if saved is not None:
        gmm, meta = saved
        if meta.get("model_sha256") == digest and gmm.n_components == components:
            return gmm
    gmm = fit_gmm(model, run, components, seed)
    save_gmm(run, gmm, {"model_sha256": digest, "seed": seed,
                        "fitted_on": "posterior means of the training split"})
    return gmm
