"""``vaekit sample`` and ``vaekit reconstruct``: image grids from a trained run."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.artifacts.images import save_png
from vaekit.artifacts.model_files import read_run_config
from vaekit.artifacts.prior_files import attach_code_prior
from vaekit.cli.options import open_model, prior_draw_options, run_argument
from vaekit.data import heldout_tensor, load_data
from vaekit.errors import UserError
from vaekit.explore.images import reconstruction_pairs
from vaekit.model.vae import VAE
from vaekit.samplers import PriorSampler, parse_label
from vaekit.samplers.base import draw_images
from vaekit.viz.grid import auto_scale, make_grid


def write_samples(model: VAE, out: Path, n: int = 64, seed: int = 0, temperature: float = 1.0,
                  stochastic: bool = False, run: Path | None = None, sampler: str = "auto",
                  label: str | None = None, components: int = 10) -> None:
    """A grid of decoded draws from ``sampler`` (fitted ones are kept in ``run``); a conditional
    model gets ``label`` (a class, or ``all``: one row per class, the same z down each column)."""
    if len(model.shape) != 3:
        raise UserError(f"this model's data are rows of {model.shape[0]} columns, not images: "
                        "use vaekit rows RUN --out rows.csv")
    plan = parse_label(model, label, n)
    if run is None:
        smp = PriorSampler(model)
    else:
        # A VQ-VAE's prior is the one `vaekit train-prior` fitted (a one-line error until then).
        attach_code_prior(model, run, required=sampler in ("auto", "prior"))
        from vaekit.artifacts.sampler_files import open_sampler

        smp = open_sampler(model, run, sampler, components, seed)
    images = draw_images(model, smp, plan.n_codes, plan.labels, seed, temperature, stochastic)
    save_png(make_grid(images, ncol=plan.ncol, scale=auto_scale(images.shape[-2])), out)


def write_reconstructions(model: VAE, run: Path, out: Path, n: int = 32,
                          split: str = "test") -> None:
    if len(model.shape) != 3:
        raise UserError(f"this model's data are rows of {model.shape[0]} columns, not images: "
                        "use vaekit column-errors RUN")
    cfg, _ = read_run_config(run)
    ds = load_data(cfg.data)
    x = ds.test if split == "test" else ds.train
    if n > len(x):
        raise UserError(f"-n {n}: the {split} split has only {len(x)} examples")
    x = heldout_tensor(x[:n], cfg.data.binarize, model.device).cpu()
    labels = ds.test_labels if split == "test" else ds.train_labels
    # A conditional model encodes and decodes with the true labels.
    y = labels[:n] if labels is not None and model.conditioner is not None else None
    pairs = reconstruction_pairs(model, x, y)
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
@click.option("--out", type=click.Path(path_type=Path), default=Path("samples.png"),
              show_default=True, help="PNG file to write.")
def sample_cmd(run: Path, n: int, temperature: float, seed: int, stochastic: bool, sampler: str,
               components: int, label: str | None, out: Path) -> None:
    """Decode N draws of z (from the prior, or a mixture fitted on the codes) into an image grid."""
    write_samples(open_model(run), out, n, seed, temperature, stochastic, run, sampler, label,
                  components)
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
