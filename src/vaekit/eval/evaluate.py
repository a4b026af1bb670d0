"""The whole-split evaluation behind ``vaekit evaluate``, ``vaekit.evaluate`` and ``--eval-k``.

Pure: it takes a model and prepared data and returns an EvalResult; the caller writes eval.json.
What applies to a model (importance samples, KL per dimension, active units, collapse, layers)
comes from what its posterior, prior and latent declare.
"""

from __future__ import annotations

import math
import time
from typing import Any

import torch
from torch import Tensor

from vaekit.dists.likelihoods.base import is_binary
from vaekit.eval import metrics
from vaekit.eval.data import EvalData, prepare
from vaekit.eval.elbo import active_units
from vaekit.eval.iw import DEFAULT_CHUNK, iw_estimate
from vaekit.eval.layers import layer_summary
from vaekit.eval.result import EvalResult


@torch.inference_mode()
def evaluate_data(model: Any, data: EvalData, k: int = 1000, batch_size: int = 500, seed: int = 0,
                  chunk: int = DEFAULT_CHUNK) -> EvalResult:
    """Evaluate ``model`` on every example of ``data`` (see EvalResult for the fields).

    Per example, the same k posterior samples give the IW bound (``nll``) and the ELBO (the
    mean log weight), so -nll >= elbo holds example by example; the KL is in closed form and
    ``recon`` = elbo + kl. One generator seeded with ``seed`` drives every draw.
    """
    t0 = time.perf_counter()
    caps = model.latent.caps
    was_training = model.training
    model.eval()
    gen = torch.Generator(device=data.x.device).manual_seed(seed)
    cols: dict[str, list[Tensor]] = {"nll": [], "elbo": [], "kl": [], "kl_dims": [], "mu": [],
                                     "logvar": []}
    sq_err, n_err = 0.0, 0
    for i in range(0, len(data.x), batch_size):
        x = data.x[i : i + batch_size]
        y = None if data.y is None else data.y[i : i + batch_size]
        q = model.encode(x, y)
        # A deterministic posterior (a code grid) gives k identical samples: one is exact.
        deterministic = q.deterministic
        est = iw_estimate(model, x, y, 1 if deterministic else k, chunk,
                          gen, posterior=q)
        cols["nll"].append(-est.log_px)
        cols["elbo"].append(est.elbo)
        kl_dims = q.kl_per_dim(model.prior)
        if kl_dims is not None:  # closed form; else the Monte Carlo KL of the same draws
            kl_dims = kl_dims.double().flatten(1)
            cols["kl_dims"].append(kl_dims)
            cols["kl"].append(kl_dims.sum(-1))
        else:
            cols["kl"].append(est.kl)
        cols["mu"].append(q.mean.flatten(1).double())
        moments = q.moments()
        if moments is not None:
            cols["logvar"].append(moments[1].flatten(1).double())
        err = (model.decode(q.mean, y).mean - x).double() ** 2  # NaN at a missing table cell
        sq_err, n_err = sq_err + float(err.nansum()), n_err + int((~err.isnan()).sum())
    c = {name: torch.cat(parts).cpu() for name, parts in cols.items() if parts}
    model.train(was_training)
    # In the data's own units: log p(x) = log p(x as the model sees it) + log|dx_model/dx|.
    c["nll"] = c["nll"] - data.log_jacobian
    c["elbo"] = c["elbo"] + data.log_jacobian

    nll, nll_se = metrics.mean_se(c["nll"])
    elbo, elbo_se = metrics.mean_se(c["elbo"])
    recon, recon_se = metrics.mean_se(c["elbo"] + c["kl"])
    kl, kl_se = metrics.mean_se(c["kl"])
    gap, gap_se = metrics.mean_se(-c["elbo"] - c["nll"])  # >= 0 per example
    dims = math.prod(model.shape)
    lik = model.likelihood
    convention = metrics.bpd_convention(
        discrete=bool(lik.discrete), binary_only=bool(lik.discrete) and lik.support == (0.0, 1.0),
        binary_data=is_binary(data.x), eight_bit=data.eight_bit, image=len(model.shape) == 3)
    latent_dim = c["mu"].shape[1]
    # Only Gaussian units can be active or collapse (not a code grid's vector entries).
    active = int(active_units(c["mu"]).sum()) if caps.gaussian_units else None
    collapse = None if deterministic or active is None else metrics.collapse_warning(
        kl, active, latent_dim, split=data.split)
    warnings = [w for w in [collapse] if w]
    if convention == metrics.GREY_BERNOULLI:
        warnings.append("Bernoulli likelihood on grey levels: the NLL is not a likelihood; use "
                        "data.binarize=dynamic or model.likelihood=continuous_bernoulli")
    mi = (metrics.mutual_information(c["mu"], c["logvar"], gen)
          if "logvar" in c and len(c["mu"]) > 1 else None)
    return EvalResult(
        split=data.split, n=len(data.x), k=1 if deterministic else k, seed=seed,
        likelihood=lik.name, prior=model.prior.description,
        binarization=data.binarization, data=data.name,
        elbo=elbo, elbo_se=elbo_se, recon=recon, recon_se=recon_se, kl=kl, kl_se=kl_se,
        nll=nll, nll_se=nll_se, elbo_gap=gap, elbo_gap_se=gap_se,
        bits_per_dim=metrics.bits_per_dim(nll, dims, convention),
        elbo_bits_per_dim=metrics.bits_per_dim(-elbo, dims, convention),
        bits_per_dim_convention=convention, dims=dims,
        kl_per_dim=c["kl_dims"].mean(0).tolist() if "kl_dims" in c else None,
        active_units=active, latent_dim=latent_dim,
        mi=mi, mse=sq_err / max(n_err, 1), warnings=warnings, units=lik.units or EvalResult.units,
        layers=layer_summary(model.latent.layer_sizes(), c.get("kl_dims"), c["mu"]),
        seconds=time.perf_counter() - t0, log_jacobian=data.log_jacobian,
        deterministic=deterministic,
    )


def evaluate(model: Any, data: Any = None, k: int = 1000, split: str = "test",
             batch_size: int = 500, seed: int = 0, binarize: str | None = None,
             chunk: int = DEFAULT_CHUNK) -> EvalResult:
    """Evaluate a model on a split; ``data`` as for ``vaekit.eval.data.prepare`` (None: the
    data set of the model's run config)."""
    prepared = prepare(model, data, split, binarize, model.device)
    return evaluate_data(model, prepared, k, batch_size, seed, chunk)
