"""Helpers of the bad-input campaign (``tests/cli/test_campaign*.py``): the CLI's commands and
options read from the CLI itself, a cheap valid call of each, and an in-process runner."""

from __future__ import annotations

import contextlib
import io
import signal
from collections.abc import Iterator
from pathlib import Path

import click

from vaekit.cli.main import _register_commands, cli, main

# Commands that start a long-lived process or train from scratch by design; their bad-input
# paths are covered by their own tests (serve, quickstart).
SKIP = {"serve", "quickstart"}
# Cheap valid values for options that would otherwise make a valid call slow.
CHEAP = {"k": "2", "n": "4", "epochs": "1", "steps": "3", "max_points": "50", "pairs": "1",
         "batch_size": "64", "width": "16", "depth": "1", "heads": "2", "map_points": "20"}


def commands() -> dict[str, click.Command]:
    _register_commands()
    return {name: cmd for name, cmd in cli.commands.items() if name not in SKIP}


COMMANDS = commands()


def options_of(cmd: click.Command) -> list[click.Option]:
    return [p for p in cmd.params if isinstance(p, click.Option) and p.name != "help"]


def flag_of(opt: click.Option) -> str:
    return max(opt.opts, key=len)


def baseline(name: str, run: Path, tmp: Path) -> list[str]:
    """A valid, cheap call of ``name`` on ``run`` writing into ``tmp``."""
    cmd = COMMANDS[name]
    argv = [name]
    if any(isinstance(p, click.Argument) for p in cmd.params):
        argv.append(str(run) if name != "validate" else str(tmp / "ok.yaml"))
    for opt in options_of(cmd):
        if opt.name == "out":
            argv += [flag_of(opt), str(tmp / ("new-run" if name == "train" else "out.bin"))]
        elif opt.name in CHEAP and not opt.is_flag:
            argv += [flag_of(opt), CHEAP[opt.name]]
    if name == "train":
        argv += ["--set", "model.hidden=[8]", "--set", "model.latent_dim=2", "--no-progress"]
    return argv


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def call(argv: list[str], stdout: io.StringIO | None = None) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(stdout or io.StringIO()):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, err.getvalue()


class Hung(BaseException):
    """A call that ran past its time limit (not an OSError, which the CLI would report)."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise Hung in the main thread after ``seconds`` (a blocking open of a FIFO included)."""
    def expire(signum: int, frame: object) -> None:
        raise Hung(f"still running after {seconds} s")

    before = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


TINY_TABLE = ["--set", "model.hidden=[8]", "--set", "model.latent_dim=2", "--set",
              "model.likelihood=columns", "--epochs", "1", "--no-progress"]


def people(path: Path, n: int = 120, cell: tuple[int, str, str] | None = None) -> Path:
    """A table of 3 columns (continuous, integer, categorical); ``cell``: (row, column, text)
    put in place of one cell."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = [["height", "age", "color"]] + [[f"{rng.normal(170, 8):.2f}", str(rng.integers(18, 80)),
                                             str(rng.choice(["red", "green", "blue"]))]
                                            for _ in range(n)]
    if cell is not None:
        row, column, value = cell
        rows[1 + row][rows[0].index(column)] = value
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    return path
