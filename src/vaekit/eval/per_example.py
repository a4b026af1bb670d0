"""One pass over a split that gives every per-example term: the bounds, the KL, the posterior.

``vaekit evaluate`` averages these terms; ``vaekit score`` reports them row by row. Every number
is in nats per example of the data in its own units (the log-Jacobian of a standardization is
applied here), from the same k posterior samples per example.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch
from torch import Tensor

from vaekit.dists.protocols import Posterior
from vaekit.eval.data import Split
from vaekit.eval.iw import DEFAULT_CHUNK, IWEstimate, iw_estimate

# Examples per seeded block: block b (examples b*BLOCK ..) draws from its own generator, seeded
# with ``seed`` + the index of its first example, so an example's bounds do not depend on how the
# split is cut into shards, on how many processes share them, or on what ran before.
BLOCK = 100


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


class Journal(Protocol):
    """Where a pass keeps each finished batch, so that an interrupted one resumes: ``restore``
    gives the batches kept so far (consecutive from the first), ``record`` keeps one more."""

    def restore(self) -> list[dict[str, Tensor]]: ...

    def record(self, batch: dict[str, Tensor]) -> None: ...


def block_estimate(model: torch.nn.Module, q: Posterior, x: Tensor, y: Tensor | None, first: int,
                   k: int, seed: int, chunk: int = DEFAULT_CHUNK) -> IWEstimate:
    """IW_k and the ELBO of the block x: (B, *shape) whose first example has index ``first``,
    with posterior q: its draws from a generator seeded with ``seed + first`` (one sample for a
    deterministic posterior, where one is exact)."""
    gen = torch.Generator(device=x.device).manual_seed(seed + first)
    return iw_estimate(model, x, y, 1 if q.deterministic else k, chunk, gen, posterior=q)


@torch.inference_mode()
def block_bounds(model: torch.nn.Module, data: Split, first: int, size: int, k: int,
                 seed: int, chunk: int = DEFAULT_CHUNK) -> tuple[Tensor, Tensor]:
    """-IW_k and the ELBO, each (n,) float64 nats on the CPU in the data's units, of the examples
    ``first`` .. ``first + size`` of ``data``: the numbers ``example_terms`` gives them with
    ``batch_size=size`` (the model in eval mode)."""
    x = data.x[first : first + size]
    y = None if data.y is None else data.y[first : first + size]
    est = block_estimate(model, model.encode(x, y), x, y, first, k, seed, chunk)
    return (-est.log_px - data.log_jacobian).cpu(), (est.elbo + data.log_jacobian).cpu()


@torch.inference_mode()
def example_terms(model: torch.nn.Module, data: Split, k: int, batch_size: int = BLOCK,
                  seed: int = 0, chunk: int = DEFAULT_CHUNK, journal: Journal | None = None,
                  start: int = 0) -> ExampleTerms:
    """The terms of every example of ``data`` (the model in eval mode; its mode is restored),
    in seeded blocks of ``batch_size`` (see ``BLOCK``); ``start``: the index of data's first
    example in the whole it was cut from (the blocks are seeded by that index).

    With a ``journal``, the batches it holds are taken as done: the terms are those of an
    uninterrupted pass, draw for draw."""
    was_training = model.training
    model.eval()
    parts = journal.restore() if journal is not None else []
    for i in range(sum(len(p["nll"]) for p in parts), len(data.x), batch_size):
        part = _batch_terms(model, data.x[i : i + batch_size],
                            None if data.y is None else data.y[i : i + batch_size], start + i, k,
                            seed, chunk)
        parts.append(part)
        if journal is not None:
            journal.record(part)
    model.train(was_training)
    deterministic = bool(parts[-1]["deterministic"])
    c = {name: torch.cat([p[name] for p in parts]) for name in parts[0] if name != "deterministic"}
    # In the data's own units: log p(x) = log p(x as the model sees it) + log|dx_model/dx|.
    return ExampleTerms(
        nll=c["nll"] - data.log_jacobian, elbo=c["elbo"] + data.log_jacobian, kl=c["kl"],
        sq_err=c["sq_err"], n_obs=c["n_obs"], kl_dims=c.get("kl_dims"), kl_layers=c.get("kl_layers"),
        mu=c["mu"], logvar=c.get("logvar"),
        k=1 if deterministic else k, deterministic=deterministic)


def _batch_terms(model: torch.nn.Module, x: Tensor, y: Tensor | None, first: int, k: int,
                 seed: int, chunk: int) -> dict[str, Tensor]:
    """The terms of one block, on the CPU, by name (``deterministic``: a 0-d bool)."""
    q = model.encode(x, y)
    est = block_estimate(model, q, x, y, first, k, seed, chunk)
    part = {"nll": -est.log_px, "elbo": est.elbo, "deterministic": torch.tensor(q.deterministic)}
    kl_dims = q.kl_per_dim(model.prior)
    if kl_dims is not None:  # closed form; else the Monte Carlo KL of the same draws
        part["kl_dims"] = kl_dims.double().flatten(1)
        part["kl"] = part["kl_dims"].sum(-1)
    else:
        part["kl"] = est.kl
        if est.kl_layers is not None:
            part["kl_layers"] = est.kl_layers
    part["mu"] = q.mean.flatten(1).double()
    moments = q.moments()
    if moments is not None:
        part["logvar"] = moments[1].flatten(1).double()
    err = ((model.decode(q.mean, y).prediction(x) - x).double() ** 2).flatten(1)
    part["sq_err"] = err.nansum(1)
    part["n_obs"] = (~err.isnan()).sum(1).double()
    return {name: t.cpu() for name, t in part.items()}
