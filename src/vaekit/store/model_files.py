"""A saved model is ``config.json`` (resolved config, versions) + ``model.safetensors`` (weights;
with ``train.ema`` their moving average, and the trained weights in ``model_raw.safetensors``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from pydantic import ValidationError
from safetensors import SafetensorError
from safetensors.torch import load_file

import vaekit
from vaekit.config.migrate import open_old_config
from vaekit.config.schema import Config
from vaekit.errors import RunError
from vaekit.model.build import build_model
from vaekit.model.vae import VAE
from vaekit.resources import check_module
from vaekit.store.atomic import write_json, write_tensors
from vaekit.store.fits import weights_differ
from vaekit.store.paths import protect_input, protect_run

CONFIG = "config.json"
WEIGHTS = "model.safetensors"
RAW_WEIGHTS = "model_raw.safetensors"


def run_config(cfg: Config, shape: tuple[int, ...], extra: dict[str, Any] | None = None) -> dict:
    """The JSON stored with a run: the config, the data shape, and the versions that made it."""
    return {
        "vaekit_version": vaekit.__version__,
        "torch_version": torch.__version__,
        "shape": list(shape),
        **(extra or {}),
        "config": cfg.model_dump(),
    }


def save_weights(model: VAE, path: str | Path) -> None:
    """Weights only, as safetensors (no pickle), written atomically."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    write_tensors(path, tensors)


def save_model(model: VAE, cfg: Config, run_dir: str | Path, extra: dict | None = None,
               raw: VAE | None = None) -> None:
    """``config.json`` and ``model.safetensors``; ``raw``: the trained weights when ``model``
    holds their moving average, written beside as ``model_raw.safetensors``."""
    run_dir = Path(run_dir)
    write_json(run_dir / CONFIG, run_config(cfg, model.shape, extra))
    if raw is not None:
        save_weights(raw, run_dir / RAW_WEIGHTS)
    save_weights(model, run_dir / WEIGHTS)


def _newer(version: object) -> str | None:
    """``version`` when it is a vaekit version newer than this one, else None."""
    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".")[:3] if p.isdigit())

    if isinstance(version, str) and parts(version) > parts(vaekit.__version__):
        return version
    return None


def _before_validation_splits(config: Any) -> Any:
    """A stored config without ``data.val_size`` is of a run made before validation splits: it
    trained on the whole training split and its curve read test, so it opens with none (and
    an image folder of that time was read grey unless it said otherwise)."""
    data = config.get("data") if isinstance(config, dict) else None
    if isinstance(data, dict) and "val_size" not in data:
        data = {**data, "val_size": None}
        args = data.get("args") if isinstance(data.get("args"), dict) else {}
        if data.get("name") == "folder" and "color" not in data and "color" not in args:
            data["args"] = {**args, "color": "grey"}  # their folders were read grey by default
        return {**config, "data": data}
    return config


def read_run_config(run_dir: str | Path) -> tuple[Config, dict]:
    """The validated Config of a run and the raw JSON; RunError when missing or corrupt."""
    path = Path(run_dir) / CONFIG
    if not Path(run_dir).is_dir():
        raise RunError(f"no run folder at {run_dir}")
    protect_run(run_dir)
    try:
        raw = json.loads(path.read_text())
        shape = raw["shape"]
        if not (isinstance(shape, list) and shape and all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape)):
            raise TypeError("shape")
        try:
            cfg = Config.model_validate(_before_validation_splits(open_old_config(raw["config"], path)))
        except ValidationError:
            newer = _newer(raw.get("vaekit_version"))
            if newer:
                raise RunError(f"{path} was written by vaekit {newer}, newer than this vaekit "
                               f"{vaekit.__version__}: upgrade vaekit to open it") from None
            raise
    except FileNotFoundError:
        raise RunError(f"{path} is missing: is {run_dir} a vaekit run folder?") from None
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValidationError,
            IsADirectoryError) as exc:
        raise RunError(f"{path} is corrupt ({type(exc).__name__})") from None
    if cfg.data.path is not None:
        protect_input(cfg.data.path, f"{cfg.data.path}, the data {run_dir} was trained on")
    return cfg, raw


def load_weights(model: VAE, path: Path) -> None:
    try:
        state = load_file(str(path))
    except FileNotFoundError:
        raise RunError(f"{path} is missing: the run has no saved weights yet") from None
    except (SafetensorError, OSError) as exc:
        raise RunError(f"{path} is corrupt ({exc})") from None
    bad = next((k for k, v in state.items() if v.is_floating_point() and not v.isfinite().all()),
               None)
    if bad is not None:
        raise RunError(f"{path} holds NaN or infinite weights ({bad}): the run cannot be used; "
                       "retrain it or resume from a good checkpoint")
    differs = weights_differ(state, model)
    if differs is not None:
        raise RunError(f"{path} does not match the model config.json describes: {differs}")
    model.load_state_dict(state)


def load_model(run_dir: str | Path, device: str | torch.device = "cpu") -> VAE:
    """Rebuild the model of a run from ``config.json`` and load ``model.safetensors``, as it
    trained (a prior fitted afterwards is attached by ``vaekit.artifacts.run_context``)."""
    cfg, raw = read_run_config(run_dir)
    check_module(lambda: build_model(cfg.model, tuple(raw["shape"])), f"the model of {run_dir}")
    model = build_model(cfg.model, tuple(raw["shape"]))
    load_weights(model, Path(run_dir) / WEIGHTS)
    model.config = cfg
    return model.to(device).eval()


def weights_digest(run: str | Path) -> str:
    """sha256 of the run's ``model.safetensors``: what fitted priors and samplers were fitted on."""
    return hashlib.sha256((Path(run) / WEIGHTS).read_bytes()).hexdigest()
