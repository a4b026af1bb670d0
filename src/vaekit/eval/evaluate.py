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

from vaekit.data.preprocess import is_binary
from vaekit.eval import metrics
from vaekit.eval.data import Split, prepare
from vaekit.eval.elbo import active_units
from vaekit.eval.iw import chunk_for
from vaekit.eval.layers import layer_summary
from vaekit.eval.per_example import BLOCK, Journal, example_terms
from vaekit.eval.result import EvalResult


@torch.inference_mode()
def evaluate_data(model: Any, data: Split, k: int = 1000, batch_size: int = BLOCK, seed: int = 0,
                  chunk: int | None = None, journal: Journal | None = None) -> EvalResult:
    """Evaluate ``model`` on every example of ``data`` (see EvalResult for the fields).

    Per example, the same k posterior samples give the IW bound (``nll``) and the ELBO (the
    mean log weight), so -nll >= elbo holds example by example; the KL is in closed form and
    ``recon`` = elbo + kl. Each block of ``batch_size`` examples draws from its own generator,
    seeded with ``seed`` + the index of its first example (``per_example.BLOCK``). ``chunk``:
    latents decoded per call (None: ``chunk_for`` the data's device); ``journal``: where the
    finished batches are kept, so that an interrupted evaluation resumes (see example_terms).
    """
    t0 = time.perf_counter()
    caps = model.latent.caps
    terms = example_terms(model, data, k, batch_size, seed, chunk or chunk_for(data.x.device),
                          journal)
    deterministic = terms.deterministic

    nll, nll_se = metrics.mean_se(terms.nll)
    elbo, elbo_se = metrics.mean_se(terms.elbo)
    recon, recon_se = metrics.mean_se(terms.elbo + terms.kl)
    kl, kl_se = metrics.mean_se(terms.kl)
    gap, gap_se = metrics.mean_se(-terms.elbo - terms.nll)  # >= 0 per example
    dims = math.prod(model.shape)
    lik = model.likelihood
    convention = metrics.bpd_convention(
        discrete=bool(lik.discrete), binary_only=bool(lik.binary_only),
        binary_data=is_binary(data.x), eight_bit=data.eight_bit, per_dim=data.bits_per_dim)
    latent_dim = terms.mu.shape[1]
    # Only Gaussian units can be active or collapse (not a code grid's vector entries).
    active = int(active_units(terms.mu).sum()) if caps.gaussian_units else None
    collapse = None if deterministic or active is None else metrics.collapse_warning(
        kl, active, latent_dim, split=data.name)
    warnings = [w for w in [collapse] if w]
    if convention == metrics.GREY_BERNOULLI:
        warnings.append("Bernoulli likelihood on grey levels: the NLL is not a likelihood; use "
                        "data.binarize=dynamic or model.likelihood=continuous_bernoulli")
    # The terms are on the CPU, and so is the draw of I(x;z): its own generator, seeded with
    # ``seed``, so the estimate is the same whichever device decoded the samples.
    mi = (metrics.mutual_information(terms.mu, terms.logvar, torch.Generator().manual_seed(seed))
          if terms.logvar is not None and len(terms.mu) > 1 else None)
    return EvalResult(
        split=data.name, n=len(data.x), k=terms.k, seed=seed,
        likelihood=lik.name, prior=model.prior.description,
        binarization=data.binarization, data=data.source,
        elbo=elbo, elbo_se=elbo_se, recon=recon, recon_se=recon_se, kl=kl, kl_se=kl_se,
        nll=nll, nll_se=nll_se, elbo_gap=gap, elbo_gap_se=gap_se,
        bits_per_dim=metrics.bits_per_dim(nll, dims, convention),
        elbo_bits_per_dim=metrics.bits_per_dim(-elbo, dims, convention),
        bits_per_dim_convention=convention, dims=dims,
        kl_per_dim=None if terms.kl_dims is None else terms.kl_dims.mean(0).tolist(),
        active_units=active, latent_dim=latent_dim,
        mi=mi, mse=float(terms.sq_err.sum()) / max(int(terms.n_obs.sum()), 1), warnings=warnings,
        units=lik.units or EvalResult.units,
        layers=layer_summary(model.latent.layer_sizes(), terms.kl_dims, terms.kl_layers,
                             terms.mu),
        seconds=time.perf_counter() - t0, log_jacobian=data.log_jacobian,
        deterministic=deterministic,
    )


def evaluate(model: Any, data: Any = None, k: int = 1000, split: str = "test",
             batch_size: int = BLOCK, seed: int = 0, binarize: str | None = None,
             chunk: int | None = None) -> EvalResult:
    """Evaluate a model on a split; ``data`` as for ``vaekit.eval.data.prepare`` (None: the
    data set of the model's run config)."""
    prepared = prepare(model, data, split, binarize, model.device)
    return evaluate_data(model, prepared, k, batch_size, seed, chunk)
