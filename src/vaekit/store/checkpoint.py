"""Training state for exact resume, as checkpoint folders renamed into place.

``checkpoints/epoch-0005/state.pt`` (``epoch-0005-step-0000620`` when saved inside epoch 6, at
step 620) holds tensors, numbers and strings only and is read with
``torch.load(weights_only=True)``, which never unpickles arbitrary objects. ``checkpoints/latest``
names the newest complete folder; a half-written ``.tmp-*`` folder is ignored.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from vaekit.errors import RunError
from vaekit.store.atomic import _fsync_dir, write_text
from vaekit.store.fits import data_differs, optimizer_differs, weights_differ

DIR = "checkpoints"
LATEST = "latest"
STATE = "state.pt"


def save_checkpoint(run_dir: str | Path, epoch: int, state: dict[str, Any],
                    step: int | None = None) -> None:
    """Write ``state`` as checkpoint ``epoch`` (epochs done; ``step``: the optimizer steps done,
    when saved inside the next epoch), point ``latest`` at it, drop older ones."""
    root = Path(run_dir) / DIR
    root.mkdir(parents=True, exist_ok=True)
    name = f"epoch-{epoch:04d}" + ("" if step is None else f"-step-{step:07d}")
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a run folder is not
    try:
        with open(tmp / STATE, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:  # disk full, quota: the last good checkpoint stays as it was
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunError(f"could not write checkpoint {root / name} ({exc.strerror or exc}); the "
                       "last good checkpoint is kept") from None
    final = root / name
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    _fsync_dir(root)
    write_text(root / LATEST, name + "\n")
    for old in root.iterdir():
        if old.is_dir() and old.name != name:
            shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load_checkpoint(run_dir: str | Path, model: nn.Module | None = None,
                    optimizer: torch.optim.Optimizer | None = None,
                    data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The newest complete checkpoint of a run; RunError when there is none, or when it does not
    fit ``model``, ``optimizer`` and ``data`` (the data info the data give now) as the run
    declares them now, saying what differs."""
    root = Path(run_dir) / DIR
    try:
        name = (root / LATEST).read_text().strip()
    except FileNotFoundError:
        raise RunError(f"{run_dir} has no checkpoint to resume from (it stopped before its "
                       f"first epoch): start it again with vaekit train --out {run_dir}") from None
    except (OSError, UnicodeDecodeError):
        raise RunError(f"{root / LATEST} is unreadable") from None
    if not re.fullmatch(r"epoch-\d{4,}(-step-\d{7,})?", name):  # never a path out of the run folder
        raise RunError(f"{root / LATEST} names {name[:40]!r}, not a checkpoint of this run")
    try:
        state = torch.load(root / name / STATE, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise RunError(f"checkpoint {root / name} is missing") from None
    except Exception as exc:  # torch raises several types for a damaged file
        raise RunError(f"checkpoint {root / name} is corrupt ({type(exc).__name__})") from None
    differs = _differs(state, model, optimizer) or (
        None if data is None else data_differs(_stored_data(Path(run_dir)), data))
    if differs is not None:
        raise RunError(f"checkpoint {root / name} does not fit the run as {run_dir}/config.json "
                       f"and its data declare it now: {differs}. Were they changed after "
                       "training? Restore them, or train a new run") from None
    return state


def _stored_data(run_dir: Path) -> Any:
    """config.json's data info (None when unreadable: opening the run reports that)."""
    try:
        return json.loads((run_dir / "config.json").read_text()).get("data")
    except (OSError, ValueError, AttributeError):
        return None


def _differs(state: Any, model: nn.Module | None, optimizer: torch.optim.Optimizer | None
             ) -> str | None:
    if model is None and optimizer is None:
        return None
    if not isinstance(state, dict) or not {"model", "optimizer", "epoch"} <= state.keys():
        return "it is not a vaekit training state (model, optimizer, epoch)"
    if model is not None:
        ema = state.get("ema")
        weights = [state["model"], *([ema.get("weights")] if isinstance(ema, dict) else [])]
        found = next((d for d in (weights_differ(w, model) for w in weights) if d), None)
        if found is not None:
            return found
    return None if optimizer is None else optimizer_differs(state["optimizer"], optimizer)
