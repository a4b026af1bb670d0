"""``vaekit interpolate``: decoded paths between the posterior means of pairs of examples."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import OUTPUT, SEED, run_argument
from vaekit.errors import UserError


@click.command("interpolate")
@run_argument
@click.option("--from", "start", type=click.IntRange(0), help="Index of the first example in the split.")
@click.option("--to", "end", type=click.IntRange(0), help="Index of the second example (with --from).")
@click.option("--pairs", type=click.IntRange(1, 64), default=6, show_default=True,
              help="Random pairs to show when --from/--to are not given.")
@click.option("--steps", type=click.IntRange(2, 64), default=10, show_default=True,
              help="Decoded codes per path, both ends included.")
@click.option("--slerp", is_flag=True, help="Spherical path (great circle, norm interpolated) "
              "instead of the straight line z = (1 - t) z1 + t z2.")
@click.option("--split", type=click.Choice(["test", "val", "train"]), default="test", show_default=True)
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the random pairs.")
@click.option("--out", type=OUTPUT, default=Path("interpolations.png"),
              show_default=True, help="PNG file to write.")
def interpolate_cmd(run: Path, start: int | None, end: int | None, pairs: int, steps: int,
                    slerp: bool, split: str, seed: int, out: Path) -> None:
    """Decode paths between the codes of two examples.

    Each row: the first example, the images decoded along the path between the posterior
    means, the second example.
    """
    from vaekit.artifacts.images import save_png
    from vaekit.artifacts.run_context import RunContext
    from vaekit.report.pictures import interpolation_grid, random_pairs

    if (start is None) != (end is None):
        raise UserError("--from and --to go together: give both, or neither for random pairs")
    ctx = RunContext.open(run)
    chosen = [(start, end)] if start is not None and end is not None else \
        random_pairs(len(ctx.split(split)), pairs, seed)
    save_png(interpolation_grid(ctx, split, chosen, steps, slerp), out)
    click.echo(f"wrote {out}")


COMMANDS = [interpolate_cmd]
