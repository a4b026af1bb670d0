"""Options and helpers shared by several commands."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext

run_argument = click.argument("run", type=click.Path(path_type=Path))
# A seed torch and numpy accept.
SEED = click.IntRange(0, 2**63 - 1)
# Importance samples: k = 100,000 on 10k images already takes hours on a laptop CPU.
K_SAMPLES = click.IntRange(1, 100_000)


class OutputPath(click.Path):
    """The path of a file a command writes (``--out``): refused when it is a file of the run
    or of the data the command reads (:mod:`vaekit.store.paths`). ``own``: the run file that
    the command itself writes (``eval.json``), which it may replace."""

    def __init__(self, own: str | None = None) -> None:
        super().__init__(path_type=Path)
        self.own = own

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from vaekit.store.paths import claim_output

        out = super().convert(value, param, ctx)
        claim_output(out, self.own)
        return out


OUTPUT = OutputPath()


class InputFile(click.Path):
    """The path of a file a command reads (a config, a mask): a FIFO, a device or a socket is
    refused before anything opens it, since reading one can wait forever."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from vaekit.inputs import special_file

        out = super().convert(value, param, ctx)
        kind = special_file(out)
        if kind is not None:
            self.fail(f"{out} is {kind}, not a file: give a regular file", param, ctx)
        return out


INPUT = InputFile()


class Finite(click.FloatRange):
    """A FloatRange that also refuses NaN (which compares false with every bound) and inf."""

    name = "finite float range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        out = super().convert(value, param, ctx)
        if not math.isfinite(out):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return out


def prior_draw_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--temperature`` and ``--seed`` of the commands that decode draws from the prior."""
    command = click.option("--seed", type=SEED, default=0, show_default=True,
                           help="Seed of the draws.")(command)
    return click.option("--temperature", type=Finite(0, 100, min_open=True), default=1.0,
                        show_default=True, help="Scale of the spread of the draws (T < 1: "
                        "closer to the centre of the prior).")(command)


class LazyEpilog(click.Command):
    """A command whose epilog is computed only when its help is shown (``epilog_from``), so that
    listing the commands never imports what the epilog is read from (the config schema)."""

    def __init__(self, *args: Any, epilog_from: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epilog_from = epilog_from

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.epilog = self.epilog or self.epilog_from()
        super().format_epilog(ctx, formatter)


def open_context(run: Path, device: str = "cpu") -> RunContext:
    """Open a run (RunError with one line when the run is missing or damaged)."""
    from vaekit.artifacts.run_context import RunContext

    return RunContext.open(run, device)
