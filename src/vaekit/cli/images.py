"""``vaekit sample`` and ``vaekit reconstruct``: what a trained run generates and how it
reconstructs its data, written as the run's modality shows them (image grids as PNG; for a table
run generated rows as CSV and the per-column errors, as ``vaekit rows`` and ``column-errors``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaekit.cli.options import OUTPUT, open_context, prior_draw_options, run_argument

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext


def _default(name: str) -> Path:
    """The render's own file name, refused as ``--out`` would be when it is a run's file."""
    from vaekit.store.paths import claim_output

    claim_output(Path(name), None)
    return Path(name)


def write_samples(ctx: RunContext, out: Path | None, n: int = 64, seed: int = 0,
                  temperature: float = 1.0, stochastic: bool | None = None, sampler: str = "auto",
                  label: str | None = None, components: int | None = None) -> str:
    """Write n draws of z from ``sampler`` (fitted ones are kept in the run) as the run's render
    shows them (an image grid: a conditional model gets ``label``, a class or ``all``; table
    rows), to ``out`` or the render's own file name; the line that says what was written."""
    from vaekit.report.renders import Draws, render_for

    render = render_for(ctx.modality)
    draws = Draws(n, seed, temperature, stochastic, sampler, components, label)
    return render.write_samples(ctx, _default(render.sample_file) if out is None else out, draws)


def write_reconstructions(ctx: RunContext, out: Path | None, n: int = 32,
                          split: str = "test") -> list[str]:
    """Write how the model reconstructs ``split`` (image runs: its first n examples above their
    reconstructions; table runs: the error of each column) to ``out`` or the render's own file
    name; the lines to print."""
    from vaekit.report.renders import render_for

    render = render_for(ctx.modality)
    return render.write_reconstructions(
        ctx, _default(render.reconstruct_file) if out is None else out, n, split)


@click.command("sample")
@run_argument
@click.option("-n", type=click.IntRange(1, 4096), default=64, show_default=True,
              help="Number of samples (images, or table rows: vaekit rows writes more).")
@prior_draw_options
@click.option("--stochastic/--mean", "stochastic", default=None,
              help="Draw each example from p(x|z), or decode the likelihood mean of each z. "
              "Default: the mean for images, draws for table rows (rows as the data are).")
@click.option("--sampler", type=click.Choice(["auto", "prior", "gmm"]), default="auto",
              show_default=True, help="Where z comes from: the prior p(z), or a Gaussian mixture "
              "fitted to the posterior means of the training split (saved in RUN/samplers/); "
              "auto = the prior (for a table run, the mixture fitted to its codes after "
              "training), and the mixture of the means for an autoencoder.")
@click.option("--components", type=click.IntRange(1, 1000), default=None,
              help="Mixture components of the fitted mixture (default: 10 for images, 50 for "
              "table rows).")
@click.option("--label", help="Conditional image models: the class to decode with "
              "(0..classes-1), or 'all' for one row per class (the default).")
@click.option("--out", type=OUTPUT, default=None,
              help="File to write: a PNG grid for an image run (default samples.png); CSV, or "
              "Parquet when it ends in .parquet, for a table run (default rows.csv).")
def sample_cmd(run: Path, n: int, temperature: float, seed: int, stochastic: bool | None,
               sampler: str, components: int | None, label: str | None, out: Path | None) -> None:
    """Decode N draws of z (from the prior, or a mixture fitted on the codes): an image grid,
    or for a table run generated rows in the original columns and units."""
    click.echo(write_samples(open_context(run), out, n, seed, temperature, stochastic, sampler,
                             label, components))


@click.command("reconstruct")
@run_argument
@click.option("-n", type=click.IntRange(1, 1024), default=32, show_default=True,
              help="Number of examples shown (image runs; a table run's errors cover the split).")
@click.option("--split", type=click.Choice(["test", "val", "train"]), default="test", show_default=True)
@click.option("--out", type=OUTPUT, default=None,
              help="PNG file to write (default reconstructions.png, or column_errors.png for a "
              "table run).")
def reconstruct_cmd(run: Path, n: int, split: str, out: Path | None) -> None:
    """Show examples (upper rows) above their reconstructions (lower rows); for a table run, the
    reconstruction error of each column (RMSE in a numeric column's own units, the error rate of
    categories and booleans)."""
    for line in write_reconstructions(open_context(run), out, n, split):
        click.echo(line)


COMMANDS = [sample_cmd, reconstruct_cmd]
