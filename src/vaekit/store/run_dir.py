"""A run folder and the handle the Python API returns for it."""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from vaekit.config.schema import Config
from vaekit.errors import RunError
from vaekit.model.vae import VAE
from vaekit.store.checkpoint import DIR as CHECKPOINTS
from vaekit.store.checkpoint import LATEST
from vaekit.store.model_files import CONFIG, RAW_WEIGHTS, WEIGHTS

METRICS = "metrics.csv"
# What vaekit itself may leave in a folder before it holds a run.
OURS = {CONFIG, WEIGHTS, RAW_WEIGHTS, CHECKPOINTS}


@dataclass
class Run:
    """A trained run: its folder, config and model; ``metrics`` are the rows of metrics.csv."""

    path: Path
    config: Config
    model: VAE
    metrics: list[dict[str, str]] = field(default_factory=list)


def _unfinished(out: Path) -> bool:
    """A run folder whose first checkpoint was never written (killed while it was created)."""
    return (out / CONFIG).exists() and not (out / CHECKPOINTS / LATEST).exists() and \
        not (out / METRICS).exists()


def check_new_run_dir(out: str | Path) -> None:
    """RunError if ``out`` cannot become a new run: it holds a run (never overwrite one), it
    holds files that are not vaekit's (never touch them), or it is a file.

    A folder that vaekit started but that never got its first checkpoint is replaceable.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RunError(f"--out {out} is a file, not a folder")
    if _unfinished(out):
        return
    if (out / CONFIG).exists() or (out / CHECKPOINTS).exists():
        raise RunError(f"{out} already holds a run; continue it with --resume {out} or choose "
                       "another --out")
    if out.is_dir():
        theirs = sorted(p.name for p in out.iterdir() if p.name not in OURS)
        if theirs:
            shown = ", ".join(theirs[:3]) + (", ..." if len(theirs) > 3 else "")
            raise RunError(f"--out {out} is not empty and not a vaekit run (it holds {shown}); "
                           "choose a new or empty folder")


def claim_new_run_dir(out: str | Path) -> Path:
    """Create ``out`` for a new run after :func:`check_new_run_dir` (clearing what an unfinished
    start of vaekit's left there)."""
    check_new_run_dir(out)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if _unfinished(out):
        for name in (CONFIG, WEIGHTS, RAW_WEIGHTS):
            (out / name).unlink(missing_ok=True)
    return out


class RunLock:
    """An exclusive OS lock (flock) on the run folder itself, held while a process trains it: a
    second ``vaekit train`` on the same folder gets one line instead of writing beside the
    first. It leaves no file behind and goes with the process, however it ends."""

    def __init__(self, out: str | Path) -> None:
        self.path = Path(out)
        self.fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise RunError(f"{self.path} is being trained by another process right now; wait "
                           "for it or choose another --out") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def clean_temporaries(out: str | Path) -> list[Path]:
    """Remove what a killed write left in a run folder: ``.NAME.*.tmp`` files of atomic writes
    and ``.tmp-*`` checkpoint folders. Returns what was removed."""
    out = Path(out)
    found = [*out.glob(".*.tmp"), *out.glob("samplers/.*.tmp"), *out.glob(f"{CHECKPOINTS}/.*.tmp"),
             *out.glob(f"{CHECKPOINTS}/.tmp-*")]
    for path in found:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return found
