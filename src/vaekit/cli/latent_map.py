"""``vaekit latent-map``: the posterior means of a split in 2-D, colored by label."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import OUTPUT, SEED, run_argument


@click.command("latent-map")
@run_argument
@click.option("--method", type=click.Choice(["auto", "pca", "tsne"]), default="auto",
              show_default=True, help="auto: the codes themselves for a 2-D latent, else PCA "
              "(t-SNE is slower: minutes for thousands of points on a small CPU).")
@click.option("--max-points", type=click.IntRange(10, 1_000_000), default=5000, show_default=True,
              help="Plot a seeded random subset of at most this many examples.")
@click.option("--split", type=click.Choice(["test", "val", "train"]), default="test", show_default=True)
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of subset and t-SNE.")
@click.option("--out", type=OUTPUT, default=Path("latent_map.png"),
              show_default=True, help="PNG file to write.")
def latent_map_cmd(run: Path, method: str, max_points: int, split: str, seed: int,
                   out: Path) -> None:
    """Scatter E[z|x] of the held-out split in two dimensions."""
    from vaekit.artifacts.figures import save_figure
    from vaekit.artifacts.run_context import RunContext
    from vaekit.report.plots import latent_map_plot

    ctx = RunContext.open(run)
    save_figure(latent_map_plot(ctx, split, method, max_points, seed), out)
    click.echo(f"wrote {out}")


COMMANDS = [latent_map_cmd]
