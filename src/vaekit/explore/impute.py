"""Fill in missing values with the model: draws of p(x_missing | x_observed), observed values kept.

Missing values are NaN in x (as the model sees it). With a stochastic posterior, p(z | x_obs) is
approached by importance resampling in latent space: K draws from the defensive proposal
r(z) = (q(z | x_obs) + p(z)) / 2 (the encoder reads the missing entries as the likelihood's
neutral input), weighted by w = p(x_obs | z) p(z) / r(z), resampled by weight; each resampled z
gives the missing values a draw of p(x | z). As K grows the draws tend to exact draws of
p(x_missing | x_observed) under the model; the effective sample size (sum w)^2 / sum w^2 of each
example says how far K was from enough. ``mean`` gives E[x_missing | x_observed] instead: the
likelihood means of the K draws averaged with their weights (each number in its own units).

A deterministic posterior (an autoencoder's point mass) has no density to weight by: it fills
by encode-decode-refill rounds (the pseudo-Gibbs sampler of Rezende et al. 2014, section 5),
each fill written as the data are, so the rounds stay where the encoder was trained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from vaekit.dists.likelihoods.base import FactorizedDist
from vaekit.model.vae import VAE

DECODED_ROWS = 16384  # examples x importance draws decoded at a time (bounds the memory)


@dataclass
class Imputation:
    """``x``: (M, N, *shape) completions (M draws; observed values unchanged); ``ess``: (N,)
    effective sample size of each example's K importance draws (K where nothing is missing),
    None for the rounds of a deterministic posterior."""

    x: Tensor
    ess: Tensor | None


def _encoder_input(model: VAE, x: Tensor, start: Tensor) -> Tensor:
    """x as the encoder reads a partly observed example: the likelihood's own input for missing
    cells where it has one, else the model's average example in the missing entries."""
    xin = model.likelihood.prepare_input(x)
    return torch.where(torch.isnan(xin), start.expand_as(xin), xin)


def weighted_draws(model: VAE, x: Tensor, y: Tensor | None, start: Tensor, k: int,
                   generator: torch.Generator | None) -> tuple[Tensor, Tensor, FactorizedDist]:
    """(z (K, B, L), log w (K, B), p(x|z) of the K * B draws, draw-major) of the defensive
    importance sampler for a batch x (B, ...); ``start``: the encoder's input for missing cells
    (the likelihood mean at the prior's centre)."""
    q = model.encode(_encoder_input(model, x, start), y)
    zq = q.rsample(k, generator=generator)  # (K, B, L)
    zp = model.prior.sample(k * len(x), x.device, 1.0, generator).reshape(zq.shape).to(zq)
    pick = torch.rand(zq.shape[:2], generator=generator, device=x.device) < 0.5
    z = torch.where(pick[..., None], zq, zp)
    log_r = torch.logaddexp(q.log_prob(z), model.prior.log_prob(z)) - math.log(2)
    yk = None if y is None else y.repeat(k)
    xk = x.unsqueeze(0).expand(k, *x.shape).reshape(k * len(x), *x.shape[1:])
    px = model.decode(z.reshape(k * len(x), -1), yk)
    log_obs = px.log_prob_observed(xk).reshape(k, len(x))
    return z, log_obs + model.prior.log_prob(z) - log_r, px


def _rounds(model: VAE, x: Tensor, y: Tensor | None, start: Tensor, rounds: int, draw: bool,
            generator: torch.Generator | None) -> Tensor:
    missing = torch.isnan(x)
    xb = torch.where(missing, start.expand_as(x), x)
    for _ in range(rounds):
        q = model.encode(xb, y)
        z = q.rsample(1, generator=generator)[0] if draw else q.mean
        px = model.decode(z, y)
        xb = torch.where(missing, px.sample(generator) if draw else px.mean, xb)
    return xb


def encoder_start(model: VAE, x: Tensor, y: Tensor | None) -> Tensor:
    """The encoder's input for missing cells: the likelihood mean at the prior's centre (given
    the first example's label ``y[:1]`` for a conditional model), shaped as one example."""
    return model.decode(model.prior.center().to(x).unsqueeze(0),
                        None if y is None else y[:1]).mean[0]


def batch_rows(model: VAE, x: Tensor, y: Tensor | None, start: Tensor, k: int,
               batch_size: int) -> int:
    """Examples imputed at a time: ``batch_size``, fewer when their k draws would pass
    ``DECODED_ROWS`` (a deterministic posterior makes no draws)."""
    deterministic = model.encode(_encoder_input(model, x[:1], start),
                                 None if y is None else y[:1]).deterministic
    return batch_size if deterministic else max(1, min(batch_size, DECODED_ROWS // k))


@torch.no_grad()
def impute(model: VAE, x: Tensor, y: Tensor | None = None, draws: int = 1, method: str = "sample",
           k: int = 256, rounds: int = 20, generator: torch.Generator | None = None,
           batch_size: int = 500, start: Tensor | None = None) -> Imputation:
    """x: (N, *shape) with NaN where missing -> ``draws`` completions and the sampler's ESS.

    ``method``: ``sample`` (draws of p(x_missing | x_observed)) or ``mean`` (one completion:
    E[x_missing | x_observed], the weighted average of the K draws' likelihood means, as the
    likelihood's ``mean_of`` forms it). ``k``: importance draws per example;
    ``rounds``: encode-decode rounds of a deterministic posterior; ``batch_size``: examples at a
    time (fewer when their k draws would pass ``DECODED_ROWS``); ``start``: the encoder's input
    for missing cells (default ``encoder_start`` of x). Examples are imputed in order,
    ``batch_rows`` at a time, with one ``generator``: a file imputed in chunks of a multiple of
    ``batch_rows`` examples, each with the start of the first, gives the same completions.
    """
    was_training = model.training
    model.eval()
    start = encoder_start(model, x, y) if start is None else start
    draws = 1 if method == "mean" else draws
    out = x.unsqueeze(0).repeat(draws, *[1] * x.ndim)
    ess = torch.full((len(x),), float(k))
    deterministic = model.encode(_encoder_input(model, x[:1], start),
                                 None if y is None else y[:1]).deterministic
    step = batch_rows(model, x, y, start, k, batch_size)
    for i in range(0, len(x), step):
        xb, yb = x[i : i + step], None if y is None else y[i : i + step]
        missing = torch.isnan(xb)
        if not bool(missing.any()):
            continue
        if deterministic:
            for m in range(draws):
                out[m, i : i + step] = _rounds(model, xb, yb, start, rounds, method == "sample",
                                               generator)
            continue
        z, log_w, px_all = weighted_draws(model, xb, yb, start, k, generator)
        w = torch.softmax(log_w, 0)  # (K, B), each example's weights sum to 1
        ess[i : i + step] = (1.0 / (w**2).sum(0)).cpu()
        if method == "mean":  # E[x_missing | x_observed]: the weighted draws' means averaged
            out[0, i : i + step] = torch.where(missing, px_all.mean_of(w), xb)
            continue
        for m in range(draws):
            pick = torch.multinomial(w.T, 1, generator=generator)[:, 0]  # (B,)
            zs = z[pick, torch.arange(len(xb), device=z.device)]
            out[m, i : i + step] = torch.where(missing, model.decode(zs, yb).sample(generator),
                                               xb)
    model.train(was_training)
    return Imputation(out, None if deterministic else ess)
