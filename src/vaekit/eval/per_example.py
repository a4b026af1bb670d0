"""One pass over a split that gives every per-example term: the bounds, the KL, the posterior.

``vaekit evaluate`` averages these terms; ``vaekit score`` reports them row by row. Every number
is in nats per example of the data in its own units (the log-Jacobian of a standardization is
applied here), from the same k posterior samples per example.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from vaekit.eval.data import EvalData
from vaekit.eval.iw import DEFAULT_CHUNK, iw_estimate


@dataclass
class ExampleTerms:
    """(N,) float64 per example: ``nll`` = -IW_k, ``elbo``, ``kl``, ``sq_err`` (squared error of
    the likelihood's prediction decoded from the posterior mean -- its mean, or for an
    autoregressive likelihood each dimension predicted from those before it -- summed over the
    observed dimensions:
    missing table cells are NaN and left out) and ``n_obs`` (how many were observed); ``kl_dims``
    (N, L) where the KL has a closed form, else for a hierarchical latent ``kl_layers`` (N, layers)
    the Monte Carlo KL of each layer; ``mu``, ``logvar`` (N, L) the posterior moments
    (``logvar`` None for a posterior without them). ``k`` is the number of samples used (1 for a
    deterministic posterior, where one is exact)."""

    nll: Tensor
    elbo: Tensor
    kl: Tensor
    sq_err: Tensor
    n_obs: Tensor
    kl_dims: Tensor | None
    kl_layers: Tensor | None
    mu: Tensor
    logvar: Tensor | None
    k: int
    deterministic: bool


@torch.inference_mode()
def example_terms(model: torch.nn.Module, data: EvalData, k: int, batch_size: int,
                  generator: torch.Generator, chunk: int = DEFAULT_CHUNK) -> ExampleTerms:
    """The terms of every example of ``data`` (the model in eval mode; its mode is restored)."""
    was_training = model.training
    model.eval()
    cols: dict[str, list[Tensor]] = {name: [] for name in (
        "nll", "elbo", "kl", "kl_dims", "kl_layers", "mu", "logvar", "sq_err", "n_obs")}
    deterministic = False
    for i in range(0, len(data.x), batch_size):
        x = data.x[i : i + batch_size]
        y = None if data.y is None else data.y[i : i + batch_size]
        q = model.encode(x, y)
        deterministic = q.deterministic
        est = iw_estimate(model, x, y, 1 if deterministic else k, chunk, generator, posterior=q)
        cols["nll"].append(-est.log_px)
        cols["elbo"].append(est.elbo)
        kl_dims = q.kl_per_dim(model.prior)
        if kl_dims is not None:  # closed form; else the Monte Carlo KL of the same draws
            kl_dims = kl_dims.double().flatten(1)
            cols["kl_dims"].append(kl_dims)
            cols["kl"].append(kl_dims.sum(-1))
        else:
            cols["kl"].append(est.kl)
            if est.kl_layers is not None:
                cols["kl_layers"].append(est.kl_layers)
        cols["mu"].append(q.mean.flatten(1).double())
        moments = q.moments()
        if moments is not None:
            cols["logvar"].append(moments[1].flatten(1).double())
        err = ((model.decode(q.mean, y).prediction(x) - x).double() ** 2).flatten(1)
        cols["sq_err"].append(err.nansum(1))
        cols["n_obs"].append((~err.isnan()).sum(1).double())
    model.train(was_training)
    c = {name: torch.cat(parts).cpu() for name, parts in cols.items() if parts}
    # In the data's own units: log p(x) = log p(x as the model sees it) + log|dx_model/dx|.
    return ExampleTerms(
        nll=c["nll"] - data.log_jacobian, elbo=c["elbo"] + data.log_jacobian, kl=c["kl"],
        sq_err=c["sq_err"], n_obs=c["n_obs"], kl_dims=c.get("kl_dims"), kl_layers=c.get("kl_layers"),
        mu=c["mu"], logvar=c.get("logvar"),
        k=1 if deterministic else k, deterministic=deterministic)
