"""``vaekit curves``: training curves of a run from its metrics.csv."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import OUTPUT, run_argument


@click.command("curves")
@run_argument
@click.option("--out", type=OUTPUT, default=Path("curves.png"),
              show_default=True, help="PNG file to write.")
def curves_cmd(run: Path, out: Path) -> None:
    """Plot -ELBO, reconstruction and KL (train, held-out) and beta per epoch."""
    from vaekit.artifacts.figures import save_figure
    from vaekit.report.plots import curves_plot
    from vaekit.store.model_files import read_run_config

    cfg, _ = read_run_config(run)
    save_figure(curves_plot(run, cfg), out)
    click.echo(f"wrote {out}")


COMMANDS = [curves_cmd]
