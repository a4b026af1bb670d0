"""Options and helpers shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.artifacts.model_files import load_model
from vaekit.model.vae import VAE

run_argument = click.argument("run", type=click.Path(path_type=Path))


def open_model(run: Path, device: str = "cpu") -> VAE:
    """Load a run's model (RunError with one line when the run is missing or damaged)."""
    return load_model(run, device)
