"""Options and helpers shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vaekit.artifacts.run_context import RunContext

run_argument = click.argument("run", type=click.Path(path_type=Path))


def prior_draw_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--temperature`` and ``--seed`` of the commands that decode draws from the prior."""
    command = click.option("--seed", type=int, default=0, show_default=True,
                           help="Seed of the draws.")(command)
    return click.option("--temperature", type=click.FloatRange(0, min_open=True), default=1.0,
                        show_default=True, help="Scale of the spread of the draws (T < 1: "
                        "closer to the centre of the prior).")(command)


def open_context(run: Path, device: str = "cpu") -> RunContext:
    """Open a run (RunError with one line when the run is missing or damaged)."""
    return RunContext.open(run, device)
