"""A run folder and the handle the Python API returns for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vaekit.config.schema import Config
from vaekit.errors import RunError
from vaekit.model.vae import VAE
from vaekit.store.checkpoint import DIR as CHECKPOINTS
from vaekit.store.model_files import CONFIG


@dataclass
class Run:
    """A trained run: its folder, config and model; ``metrics`` are the rows of metrics.csv."""

    path: Path
    config: Config
    model: VAE
    metrics: list[dict[str, str]] = field(default_factory=list)


def check_new_run_dir(out: str | Path) -> None:
    """RunError if ``out`` already holds a run (never overwrite one) or is a file."""
    out = Path(out)
    if (out / CONFIG).exists() or (out / CHECKPOINTS).exists():
        raise RunError(f"{out} already holds a run; continue it with --resume {out} or choose "
                       "another --out")
    if out.exists() and not out.is_dir():
        raise RunError(f"--out {out} is a file, not a folder")


def claim_new_run_dir(out: str | Path) -> Path:
    """Create ``out`` for a new run after :func:`check_new_run_dir`."""
    check_new_run_dir(out)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return out
