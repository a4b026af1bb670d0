"""``vaekit traverse``: vary one latent dimension at a time, most informative dimensions first."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import OUTPUT, Finite, run_argument
from vaekit.errors import UserError


def _dims(value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        return [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise UserError(f"--dims {value!r}: give dimension numbers separated by commas, e.g. "
                        "0,3,5") from None


def _base(value: str) -> int | None:
    if value == "zero":
        return None
    try:
        return int(value)
    except ValueError:
        raise UserError(f"--base {value!r}: 'zero' or an example index") from None


@click.command("traverse")
@run_argument
@click.option("--dims", help="Comma-separated latent dimensions (default: the --max-dims with "
              "the most held-out KL).")
@click.option("--max-dims", type=click.IntRange(1, 512), default=16, show_default=True)
@click.option("--range", "span", type=Finite(0, 100, min_open=True), default=3.0,
              show_default=True, help="Each dimension sweeps [-R, R] (prior standard deviations).")
@click.option("--steps", type=click.IntRange(2, 64), default=9, show_default=True)
@click.option("--base", default="zero", show_default=True, metavar="zero|INDEX",
              help="Base code: zero (the prior's mean) or the posterior mean of example INDEX.")
@click.option("--split", type=click.Choice(["test", "val", "train"]), default="test", show_default=True)
@click.option("--out", type=OUTPUT, default=Path("traversal.png"),
              show_default=True, help="PNG file to write.")
def traverse_cmd(run: Path, dims: str | None, max_dims: int, span: float, steps: int, base: str,
                 split: str, out: Path) -> None:
    """Vary one latent dimension at a time, most informative first.

    One row per dimension, ordered by its mean held-out KL; inactive dimensions are marked.
    """
    from vaekit.artifacts.figures import save_figure
    from vaekit.artifacts.run_context import RunContext
    from vaekit.report.plots import traversal_plot

    chosen, base_index = _dims(dims), _base(base)
    ctx = RunContext.open(run)
    save_figure(traversal_plot(ctx, split, chosen, span, steps, base_index, max_dims), out)
    click.echo(f"wrote {out}: each dimension over the prior's mean +- {span:g} standard "
               f"deviations ({ctx.model.prior.description})")


COMMANDS = [traverse_cmd]
