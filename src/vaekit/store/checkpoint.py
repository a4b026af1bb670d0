"""Training state for exact resume, as checkpoint folders renamed into place.

``checkpoints/epoch-0005/state.pt`` holds tensors, numbers and strings only and is read with
``torch.load(weights_only=True)``, which never unpickles arbitrary objects. ``checkpoints/latest``
names the newest complete folder; a half-written ``.tmp-*`` folder is ignored.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch

from vaekit.errors import RunError
from vaekit.store.atomic import _fsync_dir, write_text

DIR = "checkpoints"
LATEST = "latest"
STATE = "state.pt"


def save_checkpoint(run_dir: str | Path, epoch: int, state: dict[str, Any]) -> None:
    """Write ``state`` as checkpoint ``epoch``, point ``latest`` at it, drop older ones."""
    root = Path(run_dir) / DIR
    root.mkdir(parents=True, exist_ok=True)
    name = f"epoch-{epoch:04d}"
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


def load_checkpoint(run_dir: str | Path) -> dict[str, Any]:
    """The newest complete checkpoint of a run; RunError when there is none."""
    root = Path(run_dir) / DIR
    try:
        name = (root / LATEST).read_text().strip()
    except FileNotFoundError:
        raise RunError(f"{run_dir} has no checkpoint to resume from (it stopped before its "
                       f"first epoch): start it again with vaekit train --out {run_dir}") from None
    except (OSError, UnicodeDecodeError):
        raise RunError(f"{root / LATEST} is unreadable") from None
    if not re.fullmatch(r"epoch-\d{4,}", name):  # never a path out of the run folder
        raise RunError(f"{root / LATEST} names {name[:40]!r}, not a checkpoint of this run")
    try:
        return torch.load(root / name / STATE, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise RunError(f"checkpoint {root / name} is missing") from None
    except Exception as exc:  # torch raises several types for a damaged file
        raise RunError(f"checkpoint {root / name} is corrupt ({type(exc).__name__})") from None
