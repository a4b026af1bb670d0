"""Tabular runs: ``vaekit rows`` (generated rows as CSV) and ``vaekit column-errors``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaekit.cli.options import prior_draw_options, run_argument
from vaekit.errors import UserError

if TYPE_CHECKING:
    from vaekit.report.run_data import RunData


def _require_table(rd: RunData, command: str) -> None:
    if rd.is_image:
        raise UserError(f"{command} needs a tabular run; {rd.path} holds images (use vaekit "
                        "sample / reconstruct)")


@click.command("rows")
@run_argument
@click.option("-n", type=click.IntRange(1, 1_000_000), default=100, show_default=True,
              help="Number of rows.")
@prior_draw_options
@click.option("--stochastic", is_flag=True, help="Sample p(x|z), not its mean.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("rows.csv"),
              show_default=True, help="CSV file to write.")
def rows_cmd(run: Path, n: int, temperature: float, seed: int, stochastic: bool,
             out: Path) -> None:
    """Generate rows from a tabular RUN, with the original column names and units."""
    from vaekit.artifacts.figures import save_rows_csv
    from vaekit.explore.tabular import generate_rows
    from vaekit.report.run_data import open_run

    rd = open_run(run)
    _require_table(rd, "rows")
    mean, std = rd.column_scale()
    rows = generate_rows(rd.model, n, mean, std, seed, temperature, stochastic)
    save_rows_csv(rows, rd.columns(), out)
    click.echo(f"wrote {out}")


@click.command("column-errors")
@run_argument
@click.option("--split", type=click.Choice(["test", "train"]), default="test", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("column_errors.png"),
              show_default=True, help="PNG file to write.")
def column_errors_cmd(run: Path, split: str, out: Path) -> None:
    """Per-column reconstruction error of a tabular RUN (RMS, in each column's own units)."""
    from vaekit.artifacts.figures import save_figure
    from vaekit.explore.tabular import column_errors
    from vaekit.report.plots import column_error_plot
    from vaekit.report.run_data import open_run

    rd = open_run(run, split)
    _require_table(rd, "column-errors")
    _, std = rd.column_scale()
    rmse = column_errors(rd.model, rd.x, std, rd.y)
    width = max(len(c) for c in rd.columns())
    for name, err, s in zip(rd.columns(), rmse.tolist(), std.tolist(), strict=True):
        click.echo(f"{name:<{width}}  RMSE {err:.4g}  ({err / s:.3f} of the column's std)")
    save_figure(column_error_plot(rd, rmse), out)
    click.echo(f"wrote {out}")


COMMANDS = [rows_cmd, column_errors_cmd]
