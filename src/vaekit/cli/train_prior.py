"""``vaekit train-prior RUN``: fit the prior that a run's latent declares to fit after training
(a VQ-VAE's autoregressive prior over its code grid), or that a table run fits on its codes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaekit.cli.options import SEED, Finite, open_context, run_argument
from vaekit.errors import UserError

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext


@click.command("train-prior")
@run_argument
@click.option("--epochs", type=click.IntRange(1, 10000), default=10, show_default=True)
@click.option("--batch-size", type=click.IntRange(1, 65536), default=128, show_default=True)
@click.option("--lr", type=Finite(0, 1, min_open=True), default=1e-3, show_default=True)
@click.option("--width", type=click.IntRange(8, 4096), default=64, show_default=True,
              help="Embedding width of the code transformer.")
@click.option("--depth", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Transformer blocks.")
@click.option("--heads", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option("--seed", type=SEED, default=0, show_default=True)
def train_prior_cmd(run: Path, epochs: int, batch_size: int, lr: float, width: int, depth: int,
                    heads: int, seed: int) -> None:
    """Fit the prior a run's latent declares (a VQ-VAE: a causal transformer over its code
    grids) on the codes of the training split (one fixed binarization), save it as
    RUN/prior.safetensors + RUN/prior.json, and report its NLL on the validation split
    -log p(x|z(x)) - log p(z(x)) as the VQ-VAE literature does.

    A table run fits its prior when it trains (a Gaussian mixture of draws of q(z|x) on the
    training rows); here it is fitted again (a run trained before, or a prior.json removed),
    with --seed alone."""
    import torch

    from vaekit.data.preprocess import is_binary
    from vaekit.eval.elbo import evaluate_split
    from vaekit.eval.metrics import bits_per_dim, bpd_convention
    from vaekit.objectives import build_objective
    from vaekit.resources import check_module
    from vaekit.samplers import posterior_means
    from vaekit.store.fitted_prior import PRIOR_JSON, build_fitted_prior, save_fitted_prior
    from vaekit.training.prior import PriorTrainConfig, fit_prior

    if width % heads:
        raise UserError(f"--width {width} must be a multiple of --heads {heads}")
    ctx = open_context(run)
    model, cfg = ctx.model, ctx.config
    name = model.latent.caps.fitted_prior
    if name is None and _code_mixture(ctx, run, seed):
        return
    if name is None:
        raise UserError(f"{run}: its latent ({cfg.model.latent}) trains its prior with the model "
                        f"({model.prior.description}); there is no prior to fit afterwards")
    args = {"width": width, "depth": depth, "heads": heads}
    check_module(lambda: build_fitted_prior(model, name, args), "the prior", training=True)
    # Scored on the validation split (test in runs made before it): a choice, not the report.
    train, test = ctx.split("train"), ctx.split(ctx.spec.curve_split)
    device = model.device
    y_test = test.y.to(device) if test.y is not None and ctx.conditional else None
    objective = build_objective(cfg.objective)
    uniform = evaluate_split(model, objective, test.x.to(device), y_test, cfg.train.eval_batch_size)
    torch.manual_seed(seed)
    prior = build_fitted_prior(model, name, args).to(device)
    tcfg = PriorTrainConfig(epochs, batch_size, lr, seed)
    codes = [posterior_means(model, s.x, s.y if ctx.conditional else None).to(device)
             for s in (train, test)]
    history = fit_prior(prior, codes[0], codes[1], tcfg, click.echo, held_name=test.name)
    trained_prior = model.prior
    model.prior = prior
    held = evaluate_split(model, objective, test.x.to(device), y_test, cfg.train.eval_batch_size)
    lik, dims = model.likelihood, math.prod(model.shape)
    convention = bpd_convention(
        discrete=bool(lik.discrete), binary_only=bool(lik.binary_only),
        binary_data=is_binary(test.x), per_dim=ctx.modality.bits_per_dim,
        eight_bit=test.eight_bit)
    bpd = bits_per_dim(held.loss, dims, convention)
    heldout = {"nll": held.loss, "recon": held.recon, "prior_nll": held.kl,
               "nll_trained_prior": uniform.loss, "bits_per_dim": bpd,
               "bits_per_dim_convention": convention, "n": len(test),
               "units": "nats per example", "likelihood": lik.name, "binarize": ctx.binarize,
               "split": test.name}
    save_fitted_prior(run, name, args, prior, {"train": {**tcfg.to_dict(), **args},
                                               "history": history, "heldout": heldout})
    click.echo(f"{ctx.spec.curve_name} NLL {held.loss:.2f} nats per example = -log p(x|z(x)) "
               f"{held.recon:.2f} - log p(z(x)) {held.kl:.2f} (a bound: q is a point mass)"
               + (f"; {bpd:.4f} bits/dim" if bpd is not None else ""))
    click.echo(f"with the prior it trained under ({trained_prior.description}) it was "
               f"{uniform.loss:.2f}")
    click.echo(f"wrote {Path(run) / PRIOR_JSON}; vaekit sample {run} now draws from this prior")


def _code_mixture(ctx: RunContext, run: Path, seed: int) -> bool:
    """Fit the prior the run's modality fits on the codes after training, under the prior the
    model trained with; False when its modality fits none (or its model keeps its own)."""
    from vaekit.objectives import build_objective
    from vaekit.store.model_files import load_model
    from vaekit.training.code_prior import fit_code_prior, prior_to_fit

    trained = load_model(run, ctx.model.device)  # the model as trained, before any fitted prior
    name = prior_to_fit(trained, ctx.modality)
    if name is None:
        return False
    cfg = ctx.config
    held = ctx.split(ctx.spec.curve_split)
    train = ctx.split("train")
    kept = fit_code_prior(trained, name, ctx.modality.code_components, Path(run),
                   (train.x, train.y if ctx.conditional else None),
                   (held.x.to(trained.device), None if held.y is None or not ctx.conditional
                    else held.y.to(trained.device)),
                   build_objective(cfg.objective), ctx.dataset.log_jacobian, seed,
                   cfg.train.eval_batch_size, click.echo)
    if kept:
        click.echo(f"wrote {Path(run) / 'prior.json'}; vaekit rows {run} now draws from this "
                   "prior")
    return True


COMMANDS = [train_prior_cmd]
