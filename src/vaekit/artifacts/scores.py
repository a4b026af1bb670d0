"""Per-example scores of a run on new data, each next to its percentile on the run's held-out
split: how unusual an example is, as a number (``vaekit score``, ``vaekit.score``).

Scores, higher = less likely under the model: ``nll`` (-IW_k, nats), ``neg_elbo`` (nats),
``recon_error`` (mean squared error per dimension of the likelihood mean decoded from the
posterior mean, in the units the model sees). ``<score>_pct``: the percentage of held-out
examples that score at most as high. The held-out scores are computed once per (weights, k,
seed) and kept in ``RUN/scores/`` (when the run folder is writable). The examples are prepared
and scored a batch at a time; what is kept is three numbers per example.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch import Tensor

from vaekit.artifacts.apply_data import eval_data, prepared_batches, source_examples
from vaekit.artifacts.prior_files import prior_digest
from vaekit.artifacts.run_context import RunContext
from vaekit.data.examples import Examples
from vaekit.eval.per_example import example_terms
from vaekit.store.atomic import write_tensors
from vaekit.store.model_files import weights_digest

SCORES = ("nll", "neg_elbo", "recon_error")
FOLDER = "scores"


def example_scores(ctx: RunContext, ex: Examples, k: int, seed: int,
                   batch_size: int) -> dict[str, Tensor]:
    """Each score of every example of ``ex``, (N,) float64, from batches of ``batch_size``
    prepared one at a time (DataError when a batch does not fit the run); with ``label`` (N,)
    when ``ex`` has labels (read with the batches: files too large for memory are read once)."""
    device = ctx.model.device
    parts: dict[str, list[Tensor]] = {name: [] for name in SCORES}
    labels: list[Tensor] = []
    start = 0
    for p in prepared_batches(ctx, ex, batch_size):
        data = eval_data(p, device)
        terms = example_terms(ctx.model, data, k, batch_size, seed, start=start)
        start += len(data.x)
        parts["nll"].append(terms.nll)
        parts["neg_elbo"].append(-terms.elbo)
        parts["recon_error"].append(terms.sq_err / terms.n_obs.clamp(min=1))
        if p.y is not None:
            labels.append(p.y)
    out = {name: torch.cat(values) for name, values in parts.items()}
    return out | ({"label": torch.cat(labels)} if labels else {})


def heldout_scores(ctx: RunContext, k: int, seed: int, batch_size: int = 500) -> dict[str, Tensor]:
    """The scores of the run's held-out split (cached in RUN/scores/ per weights, k, seed and
    the way the draws were seeded and the prior fitted after training: a cache drawn otherwise,
    or before, is computed again)."""
    from safetensors import SafetensorError, safe_open

    path = ctx.path / FOLDER / f"heldout-k{k}-seed{seed}.safetensors"
    stamp = {"model_sha256": weights_digest(ctx.path), "draws": draws_scheme(batch_size),
             "prior": prior_digest(ctx.path)}
    if path.exists():
        try:
            with safe_open(str(path), "pt") as f:
                if {key: (f.metadata() or {}).get(key) for key in stamp} == stamp:
                    return {name: f.get_tensor(name) for name in SCORES}
        except (OSError, SafetensorError, KeyError):
            pass  # a damaged cache is computed again and replaced
    ref = example_scores(ctx, source_examples(ctx, None, "test"), k, seed, batch_size)
    # A run folder you may only read: the scores are computed again next time.
    with contextlib.suppress(OSError):
        write_tensors(path, {name: ref[name].contiguous() for name in SCORES},
                      metadata=stamp)
    return ref


def draws_scheme(batch_size: int) -> str:
    """How the held-out scores' importance draws were seeded (``example_terms``)."""
    return f"blocks of {batch_size} examples, each seeded with seed + its first index"


def percentile(values: Tensor, reference: Tensor) -> Tensor:
    """100 * the fraction of ``reference`` at most as large as each value: (N,) float64."""
    ref = torch.sort(reference.double()).values
    return 100.0 * torch.searchsorted(ref, values.double(), right=True).double() / len(ref)


def score(ctx: RunContext, data: str | None = None, split: str = "test", k: int = 100,
          seed: int = 0, batch_size: int = 500) -> dict[str, np.ndarray]:
    """The score columns of every example of ``data`` (see the module docstring): ``id``,
    ``label`` when the source has labels, each score and its held-out percentile."""
    ex = source_examples(ctx, data, split)
    values = example_scores(ctx, ex, k, seed, batch_size)
    ref = heldout_scores(ctx, k, seed, batch_size)
    out: dict[str, np.ndarray] = {"id": np.array(list(ex.ids))}
    if "label" in values:
        out["label"] = values["label"].numpy()
    for name in SCORES:
        out[name] = values[name].numpy()
    for name in SCORES:
        out[f"{name}_pct"] = percentile(values[name], ref[name]).numpy()
    return out
