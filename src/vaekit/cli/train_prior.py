"""``vaekit train-prior RUN``: fit the autoregressive prior over a VQ-VAE's code grid."""

from __future__ import annotations

import math
from pathlib import Path

import click
import torch

from vaekit.artifacts.model_files import read_run_config
from vaekit.artifacts.prior_files import PRIOR_JSON, is_vq, save_code_prior
from vaekit.artifacts.sampler_files import weights_digest
from vaekit.cli.options import open_model, run_argument
from vaekit.data import heldout_tensor, load_data
from vaekit.dists.likelihoods.base import is_binary
from vaekit.errors import UserError
from vaekit.eval.elbo import evaluate_split
from vaekit.eval.metrics import bits_per_dim, bpd_convention
from vaekit.objectives import build_objective
from vaekit.training.prior import PriorTrainConfig, encode_codes, fit_code_prior


@click.command("train-prior")
@run_argument
@click.option("--epochs", type=click.IntRange(1), default=10, show_default=True)
@click.option("--batch-size", type=click.IntRange(1), default=128, show_default=True)
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=1e-3, show_default=True)
@click.option("--width", type=click.IntRange(8), default=64, show_default=True,
              help="Embedding width of the code transformer.")
@click.option("--depth", type=click.IntRange(1), default=2, show_default=True,
              help="Transformer blocks.")
@click.option("--heads", type=click.IntRange(1), default=4, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def train_prior_cmd(run: Path, epochs: int, batch_size: int, lr: float, width: int, depth: int,
                    heads: int, seed: int) -> None:
    """Fit a causal transformer prior p(codes) on the code grids of a VQ-VAE run's training split
    (one fixed binarization), save it as RUN/prior.safetensors + RUN/prior.json, and report the
    held-out NLL -log p(x|z_q(x)) - log p(z_q(x)) as the VQ-VAE literature does."""
    if width % heads:
        raise UserError(f"--width {width} must be a multiple of --heads {heads}")
    model = open_model(run)
    if not is_vq(model):
        raise UserError(f"{run} is not a VQ-VAE (model.latent=vector_quantized); only a VQ-VAE "
                        "needs a prior over codes")
    cfg, _ = read_run_config(run)
    ds = load_data(cfg.data)
    mode = cfg.data.binarize if ds.kind == "image" else "none"
    x_train = heldout_tensor(ds.train, mode, model.device)
    x_test = heldout_tensor(ds.test, mode, model.device)
    tcfg = PriorTrainConfig(epochs, batch_size, lr, width, depth, heads, seed)
    net, history = fit_code_prior(encode_codes(model, x_train), encode_codes(model, x_test),
                                  model.latent.codebook_size, tcfg, click.echo)

    objective = build_objective(cfg.objective)
    y_test = None if ds.test_labels is None else ds.test_labels.to(model.device)
    uniform = evaluate_split(model, objective, x_test, y_test, cfg.train.eval_batch_size)
    model.prior.net = net
    held = evaluate_split(model, objective, x_test, y_test, cfg.train.eval_batch_size)
    lik, dims = model.likelihood, math.prod(model.shape)
    convention = bpd_convention(
        discrete=bool(lik.discrete), binary_only=bool(lik.discrete) and lik.support == (0.0, 1.0),
        binary_data=is_binary(x_test), eight_bit=ds.test.dtype == torch.uint8 and mode == "none",
        image=len(model.shape) == 3)
    bpd = bits_per_dim(held.loss, dims, convention)
    heldout = {"nll": held.loss, "recon": held.recon, "prior_nll": held.kl,
               "nll_uniform_prior": uniform.loss, "bits_per_dim": bpd,
               "bits_per_dim_convention": convention, "n": len(x_test),
               "units": "nats per example", "likelihood": lik.name, "binarize": mode}
    save_code_prior(run, net, {"model_sha256": weights_digest(run), "train": tcfg.to_dict(),
                               "history": history, "heldout": heldout})
    click.echo(f"held-out NLL {held.loss:.2f} nats per example = -log p(x|z_q(x)) "
               f"{held.recon:.2f} - log p(z_q(x)) {held.kl:.2f} (a bound: q is a point mass)"
               + (f"; {bpd:.4f} bits/dim" if bpd is not None else ""))
    click.echo(f"with the uniform prior (T log K) it was {uniform.loss:.2f}")
    click.echo(f"wrote {Path(run) / PRIOR_JSON}; vaekit sample {run} now draws from this prior")


COMMANDS = [train_prior_cmd]
