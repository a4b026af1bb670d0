"""Tabular runs: ``vaekit rows`` (generated rows as CSV) and ``vaekit column-errors``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaekit.cli.options import OUTPUT, prior_draw_options, run_argument
from vaekit.errors import UserError

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext


def _require_table(ctx: RunContext, command: str) -> None:
    if not ctx.modality.has_columns:
        raise UserError(f"{command} needs a tabular run; {ctx.path} holds images (use vaekit "
                        "sample / reconstruct)")


@click.command("rows")
@run_argument
@click.option("-n", type=click.IntRange(1, 1_000_000_000), default=100, show_default=True,
              help="Number of rows (drawn and written in chunks of 100,000, each chunk seeded "
              "with --seed plus its index: memory stays that of one chunk).")
@prior_draw_options
@click.option("--stochastic/--mean", "stochastic", default=True, show_default=True,
              help="Draw each row from p(x|z) (the default: rows as the data are), or write the "
              "mean row of each z (--mean: the most probable category, a continuous column's "
              "expected value, no missing cells).")
@click.option("--sampler", type=click.Choice(["auto", "prior", "gmm"]), default="auto",
              show_default=True, help="Where z comes from without --given or --constraint: "
              "auto = the model's prior p(z): for a table run, a Gaussian mixture fitted to its "
              "training rows' codes after training (rows drawn where the data's codes are); "
              "gmm = a mixture fitted to the posterior means instead. With --given or "
              "--constraint, rows come from the model's conditional under its prior.")
@click.option("--given", "given", multiple=True, metavar="CLAUSE",
              help="Draw rows from p(other columns | CLAUSE) under the model: COLUMN=VALUE, "
              "COLUMN= (a missing cell), COLUMN!=CATEGORY, COLUMN=A|B, or a range on a number or date "
              "('price<1000', 'carat>=0.5'; two make an interval). Latent importance "
              "resampling, as vaekit impute, each range weighed by its probability under the "
              "model and drawn inside it; the effective sample size is printed. Repeat for "
              "several clauses.")
@click.option("--constraint", "constraints", multiple=True, metavar="CLAUSE",
              help="A clause every row keeps: a range ('age>=18'), two number columns "
              "('start<=end'), a category (kind=a, kind!=b, kind=a|b) or an implication "
              "('country=US => currency=USD'). Rows come from the model's "
              "conditional on the constraints (never rejection of whole rows); the share of "
              "rows drawn without them that would break them is printed. Repeat for several.")
@click.option("--k", "k", type=click.IntRange(2, 100_000), default=256, show_default=True,
              help="With --given or --constraint: importance draws of z per row.")
@click.option("--out", type=OUTPUT, default=Path("rows.csv"),
              show_default=True, help="File to write: CSV, or Parquet when it ends in .parquet.")
def rows_cmd(run: Path, n: int, temperature: float, seed: int, stochastic: bool, sampler: str,
             given: tuple[str, ...], constraints: tuple[str, ...], k: int, out: Path) -> None:
    """Generate rows from a tabular RUN, with the original column names, types, categories and
    units."""
    from vaekit.artifacts.conditional import conditional_rows, describe
    from vaekit.artifacts.constraints import region
    from vaekit.artifacts.figures import save_table_chunks
    from vaekit.artifacts.run_context import RunContext
    from vaekit.cli.images import write_samples
    from vaekit.report.renders import rows as render

    ctx = RunContext.open(run)
    _require_table(ctx, "rows")
    if not given and not constraints:
        click.echo(write_samples(ctx, out, n, seed, temperature, stochastic, sampler))
        click.echo(f"z drawn from {ctx.sampler(sampler, seed=seed).description}")
        return
    reg = region(ctx.codec, given, constraints)
    if not stochastic or temperature != 1.0:
        raise UserError("--given and --constraint draw rows from the model's conditional: they "
                        "take neither --mean nor --temperature")
    columns: list[str] = []
    done = []

    def chunks():  # type: ignore[no-untyped-def]
        for i, start in enumerate(range(0, n, render.CHUNK_ROWS)):
            size = min(render.CHUNK_ROWS, n - start)
            done.append(conditional_rows(ctx, reg, size, seed + i, k))
            columns[:] = list(done[-1].values.columns)
            yield done[-1].values

    save_table_chunks(chunks(), out)
    click.echo(f"wrote {out}: {n} rows of {', '.join(columns)}")
    click.echo(describe(reg, done))


@click.command("column-errors")
@run_argument
@click.option("--split", type=click.Choice(["test", "val", "train"]), default="test", show_default=True)
@click.option("--out", type=OUTPUT, default=Path("column_errors.png"),
              show_default=True, help="PNG file to write.")
def column_errors_cmd(run: Path, split: str, out: Path) -> None:
    """Per-column reconstruction error of a tabular RUN: RMSE in each numeric column's own units,
    the error rate of categories and booleans."""
    from vaekit.artifacts.run_context import RunContext
    from vaekit.cli.images import write_reconstructions

    ctx = RunContext.open(run)
    _require_table(ctx, "column-errors")
    for line in write_reconstructions(ctx, out, 0, split):
        click.echo(line)


COMMANDS = [rows_cmd, column_errors_cmd]
