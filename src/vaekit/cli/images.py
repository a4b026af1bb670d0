"""``vaekit sample`` and ``vaekit reconstruct``: image grids from a trained run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaekit.cli.options import OUTPUT, open_context, prior_draw_options, run_argument
from vaekit.errors import UserError

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext


def write_samples(ctx: RunContext, out: Path, n: int = 64, seed: int = 0,
                  temperature: float = 1.0, stochastic: bool = False, sampler: str = "auto",
                  label: str | None = None, components: int = 10) -> str:
    """A grid of decoded draws from ``sampler`` (fitted ones are kept in the run); a conditional
    model gets ``label`` (a class, or ``all``: one row per class, the same z down each column)."""
    from vaekit.artifacts.images import save_png
    from vaekit.report.pictures import samples_grid

    if not ctx.is_image:
        raise UserError(f"this model's data are rows of {ctx.model.shape[0]} columns, not images: "
                        "use vaekit rows RUN --out rows.csv")
    smp = ctx.sampler(sampler, components, seed)
    save_png(samples_grid(ctx.model, smp, n, seed, temperature, stochastic, label), out)
    return smp.description


def write_reconstructions(ctx: RunContext, out: Path, n: int = 32, split: str = "test") -> None:
    """The first n examples of ``split`` (as the model saw them) above their reconstructions."""
    from vaekit.artifacts.images import save_png
    from vaekit.report.pictures import reconstructions_grid
    from vaekit.report.run_data import RunData

    if not ctx.is_image:
        raise UserError(f"this model's data are rows of {ctx.model.shape[0]} columns, not images: "
                        "use vaekit column-errors RUN")
    save_png(reconstructions_grid(RunData(ctx, split), n), out)


@click.command("sample")
@run_argument
@click.option("-n", type=click.IntRange(1, 4096), default=64, show_default=True,
              help="Number of samples.")
@prior_draw_options
@click.option("--stochastic", is_flag=True, help="Sample pixels from p(x|z), not its mean.")
@click.option("--sampler", type=click.Choice(["auto", "prior", "gmm"]), default="auto",
              show_default=True, help="Where z comes from: the prior p(z), or a Gaussian mixture "
              "fitted to the posterior means of the training split (saved in RUN/samplers/); "
              "auto = gmm for an autoencoder, prior otherwise.")
@click.option("--components", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Mixture components of --sampler gmm.")
@click.option("--label", help="Conditional models: the class to decode with (0..classes-1), or "
              "'all' for one row per class (the default).")
@click.option("--out", type=OUTPUT, default=Path("samples.png"),
              show_default=True, help="PNG file to write.")
def sample_cmd(run: Path, n: int, temperature: float, seed: int, stochastic: bool, sampler: str,
               components: int, label: str | None, out: Path) -> None:
    """Decode N draws of z (from the prior, or a mixture fitted on the codes) into an image grid."""
    source = write_samples(open_context(run), out, n, seed, temperature, stochastic, sampler,
                           label, components)
    click.echo(f"wrote {out}: {n} draws of z from {source}")


@click.command("reconstruct")
@run_argument
@click.option("-n", type=click.IntRange(1, 1024), default=32, show_default=True,
              help="Number of examples.")
@click.option("--split", type=click.Choice(["test", "val", "train"]), default="test", show_default=True)
@click.option("--out", type=OUTPUT, default=Path("reconstructions.png"),
              show_default=True, help="PNG file to write.")
def reconstruct_cmd(run: Path, n: int, split: str, out: Path) -> None:
    """Show examples (upper rows) above their reconstructions (lower rows)."""
    write_reconstructions(open_context(run), out, n, split)
    click.echo(f"wrote {out}")


COMMANDS = [sample_cmd, reconstruct_cmd]
