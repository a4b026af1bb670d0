"""``vaekit manifold``: for a 2-D latent, the images decoded over a grid of prior quantiles."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import OUTPUT, open_context, run_argument


@click.command("manifold")
@run_argument
@click.option("-n", type=click.IntRange(2, 64), default=20, show_default=True,
              help="Grid side: n x n decoded images.")
@click.option("--out", type=OUTPUT, default=Path("manifold.png"),
              show_default=True, help="PNG file to write.")
def manifold_cmd(run: Path, n: int, out: Path) -> None:
    """Decode a grid over a 2-D latent's prior quantiles (Kingma & Welling).

    z = (Phi^-1(p1), Phi^-1(p2)) for p on an even grid in [0.05, 0.95].
    """
    from vaekit.artifacts.images import save_png
    from vaekit.report.pictures import manifold_grid

    save_png(manifold_grid(open_context(run).model, n), out)
    click.echo(f"wrote {out}")


COMMANDS = [manifold_cmd]
