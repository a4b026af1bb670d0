"""``vaekit sample`` and ``vaekit reconstruct``: image grids from a trained run."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.artifacts.images import save_png
from vaekit.artifacts.model_files import read_run_config
from vaekit.cli.options import open_model, run_argument
from vaekit.data import heldout_tensor, load_data
from vaekit.errors import UserError
from vaekit.explore.images import reconstruction_pairs, sample_images
from vaekit.model.vae import VAE
from vaekit.viz.grid import auto_scale, make_grid


def write_samples(model: VAE, out: Path, n: int = 64, seed: int = 0, temperature: float = 1.0,
                  stochastic: bool = False) -> None:
    images = sample_images(model, n, seed, temperature, stochastic)
    save_png(make_grid(images, scale=auto_scale(images.shape[-2])), out)


def write_reconstructions(model: VAE, run: Path, out: Path, n: int = 32,
                          split: str = "test") -> None:
    cfg, _ = read_run_config(run)
    ds = load_data(cfg.data)
    x = ds.test if split == "test" else ds.train
    if n > len(x):
        raise UserError(f"-n {n}: the {split} split has only {len(x)} examples")
    x = heldout_tensor(x[:n], cfg.data.binarize, model.device).cpu()
    pairs = reconstruction_pairs(model, x)
    ncol = min(n, 16)
    # Originals and reconstructions in alternating row blocks: each original above its copy.
    rows = [pairs[i : i + ncol] for i in range(0, n, ncol)]
    recs = [pairs[n + i : n + i + ncol] for i in range(0, n, ncol)]
    import torch

    ordered = torch.cat([t for pair in zip(rows, recs, strict=True) for t in pair])
    save_png(make_grid(ordered, ncol=ncol, scale=auto_scale(x.shape[-2])), out)


@click.command("sample")
@run_argument
@click.option("-n", type=click.IntRange(1, 4096), default=64, show_default=True,
              help="Number of samples.")
@click.option("--temperature", type=click.FloatRange(0, min_open=True), default=1.0,
              show_default=True, help="Scale of the prior draws z ~ N(0, T^2 I).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws.")
@click.option("--stochastic", is_flag=True, help="Sample pixels from p(x|z), not its mean.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("samples.png"),
              show_default=True, help="PNG file to write.")
def sample_cmd(run: Path, n: int, temperature: float, seed: int, stochastic: bool,
               out: Path) -> None:
    """Decode N draws from the prior of RUN into an image grid."""
    write_samples(open_model(run), out, n, seed, temperature, stochastic)
    click.echo(f"wrote {out}")


@click.command("reconstruct")
@run_argument
@click.option("-n", type=click.IntRange(1, 1024), default=32, show_default=True,
              help="Number of examples.")
@click.option("--split", type=click.Choice(["test", "train"]), default="test", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("reconstructions.png"),
              show_default=True, help="PNG file to write.")
def reconstruct_cmd(run: Path, n: int, split: str, out: Path) -> None:
    """Show examples (upper rows) above their reconstructions (lower rows)."""
    write_reconstructions(open_model(run), run, out, n, split)
    click.echo(f"wrote {out}")


COMMANDS = [sample_cmd, reconstruct_cmd]
