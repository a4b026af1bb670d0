"""Rows drawn from p(x | conditions, constraints) under a table model, exactly as K grows.

Each row has K particles (z_k, x_k): z_k from the defensive proposal of ``vaekit impute``
(``weighted_draws``), weighted by p(x_obs | z) p(z) / r(z) for the observed cells; each range
on a continuous column multiplies the weight by its mass under p(x|z), P(lo <= x < hi | z), from
the column's mixture CDF, and x_k is drawn from p(x|z_k) with that column truncated to the
range. A condition no CDF gives (a <= b between columns, a category set, a column whose cell
may be missing) is checked on the particle: its weight is 0 where it fails, an unbiased
estimate of its probability given z. Each row is one particle resampled by weight: the target
p(z, x | evidence) restricted to the region, exact as K grows (sampling importance resampling on
(z, x), never rejection of whole rows).

The weights also estimate how often rows drawn under the conditions alone would break the
constraints: sum_k w_k(conditions) P(constraints | z_k, x_k) over the self-normalized weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from vaekit.dists.mixture_interval import log_mass, truncated_draw
from vaekit.errors import UserError
from vaekit.explore.impute import DECODED_ROWS, weighted_draws
from vaekit.model.vae import VAE


@dataclass(frozen=True)
class Range:
    """A continuous column's value range: ``column`` its index among the likelihood's continuous
    columns; ``given`` [lo, hi) the conditions' range, ``kept`` [lo, hi) the range the rows
    keep (inside ``given``: the constraints narrow it), in the column's units."""

    column: int
    given: tuple[float, float]
    kept: tuple[float, float]


@dataclass
class Draws:
    """``x``: (N, D) rows; ``values``: (N, Ccont) float64 each ranged continuous column's value
    in its units (the rows hold it in float32), NaN for the others; ``ess``: (N,) effective
    sample size of each row's K particles; ``kept``: the estimated probability that a row
    drawn under the conditions alone meets the constraints; ``accepted``: the weighted share
    of particles that met the checked clauses."""

    x: Tensor
    values: Tensor
    ess: Tensor
    kept: float
    accepted: float


def _particles(model: VAE, x: Tensor, start: Tensor, k: int, ranges: list[Range],
               generator: torch.Generator | None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(rows (K*B, D), ranged values (K*B, Ccont) float64, log w of the conditions (K, B),
    log P(constraints' ranges | z, given) (K, B)) for a batch of B equal evidence rows x."""
    _, log_w, px = weighted_draws(model, x, None, start, k, generator)
    log_w, log_c = log_w.double(), torch.zeros_like(log_w, dtype=torch.float64)
    rows = px.sample(generator)
    values = torch.full((len(rows), 0), math.nan, dtype=torch.float64, device=x.device)
    if ranges:
        weights, means, sds = px.value_mixture()  # (K*B, Ccont, M)
        values = torch.full(weights.shape[:2], math.nan, dtype=torch.float64, device=x.device)
        for r in ranges:
            mix = weights[:, r.column], means[:, r.column], sds[:, r.column]
            values[:, r.column], kept = truncated_draw(*mix, *r.kept, generator=generator)
            given = kept if r.kept == r.given else log_mass(*mix, *r.given)
            log_w = log_w + given.reshape(log_w.shape)
            log_c = log_c + (kept - given).reshape(log_w.shape)
        rows = px.put_values(rows, values.to(rows.dtype))
    xk = x.unsqueeze(0).expand(k, *x.shape).reshape(k * len(x), -1)
    return (torch.where(torch.isnan(xk), rows, xk), values, log_w,
            log_c.nan_to_num(nan=-math.inf))


@torch.no_grad()
def conditional_draws(model: VAE, evidence: Tensor, n: int, ranges: list[Range],
                      check: Callable[[Tensor, Tensor], Tensor] | None = None, k: int = 256,
                      generator: torch.Generator | None = None) -> Draws:
    """n rows of p(x | evidence, ranges, check) for a table model whose likelihood declares
    ``mixture_columns``. ``evidence``: (D,) a model row, NaN where unknown; ``check``: (rows
    (M, D), ranged values (M, Ccont)) -> (M, 2) bool, whether each meets the conditions', then
    the constraints' clauses that no range expresses (None: there are none). UserError when
    the conditions, or the constraints, have no mass in any of the K draws of a row."""
    was_training = model.training
    model.eval()
    start = model.decode(model.prior.center().to(evidence).unsqueeze(0)).mean[0]
    step = max(1, DECODED_ROWS // k)
    out, ess = torch.empty(n, len(evidence)), torch.empty(n)
    chosen: list[Tensor] = []
    kept, accepted = [], []
    for i in range(0, n, step):
        b = min(step, n - i)
        rows, values, log_w, log_c = _particles(model, evidence.expand(b, -1), start, k,
                                                ranges, generator)
        ok = (torch.ones(len(rows), 2, dtype=torch.bool) if check is None
              else check(rows, values)).reshape(k, b, 2).to(log_w.device)
        log_ok = torch.log(ok.to(torch.float64))
        ranged = torch.softmax(log_w + log_c, 0)  # the ranges' weights alone
        log_w, log_c = log_w + log_ok[..., 0], log_c + log_ok[..., 1]
        log_t = log_w + log_c
        if not bool(torch.isfinite(log_w.max(0).values).all()):
            raise UserError("the conditions have probability zero (numerically) under the "
                            f"model: none of {k} latent draws gives them any")
        if not bool(torch.isfinite(log_t.max(0).values).all()):
            raise UserError(f"the constraints were met by none of {k} latent draws under the "
                            "conditions: their probability is (numerically) zero; loosen them "
                            "or raise --k")
        w_given, w = torch.softmax(log_w, 0), torch.softmax(log_t, 0)  # (K, B)
        kept.append((w_given * torch.exp(log_c)).sum(0))
        accepted.append((ranged * ok.all(-1).to(ranged)).sum(0))
        ess[i : i + b] = (1.0 / (w**2).sum(0)).float().cpu()
        pick = torch.multinomial(w.T.float(), 1, generator=generator)[:, 0]  # (B,)
        at = (pick * b + torch.arange(b, device=pick.device)).cpu()  # draw-major particles
        out[i : i + b] = rows.cpu()[at]
        chosen.append(values.cpu()[at])
    model.train(was_training)
    return Draws(out, torch.cat(chosen), ess, float(torch.cat(kept).mean()),
                 float(torch.cat(accepted).mean()))
