"""``vaekit report``: one self-contained HTML page with a run's numbers and pictures."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import OUTPUT, run_argument


@click.command("report")
@run_argument
@click.option("--out", type=OUTPUT, help="HTML file (default RUN/report.html).")
def report_cmd(run: Path, out: Path | None) -> None:
    """Write RUN/report.html: config, data, metrics, curves, samples, reconstructions,
    interpolations, traversals and the latent map, with every figure embedded (no network)."""
    from vaekit.report.file import write_report

    click.echo(f"wrote {write_report(run, out)}")


COMMANDS = [report_cmd]
