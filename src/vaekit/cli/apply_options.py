"""The options of the commands that apply a trained run to data: encode, score, impute."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--data`` (what to apply the run to) and ``--split`` (which split of a data set)."""
    command = click.option(
        "--split", type=click.Choice(["test", "val", "train"]), default="test", show_default=True,
        help="Split of the run's own data or of a built-in data set (of a file, every example is "
        "read, in order).")(command)
    return click.option(
        "--data", "source", default=None, metavar="SRC",
        help="The run's own data (default), a built-in data set, an .npz/.npy file or an image "
        "folder; for a table run, a file of its columns.")(command)


batch_option = click.option("--batch-size", type=click.IntRange(1, 100_000), default=500,
                            show_default=True, help="Examples per batch.")
