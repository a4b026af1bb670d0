"""The prior a modality fits on the training codes once a run has trained (a table's mixture of
draws of q(z|x), ``vaekit.dists.priors.code_mixture``), saved as the run's ``prior.safetensors``
+ ``prior.json``: opening the run puts it where the trained prior stood, so generated rows,
conditions, imputation and every NLL use the same p(z)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from vaekit.dists.priors.code_mixture import components_for
from vaekit.eval.elbo import evaluate_split
from vaekit.model.vae import VAE
from vaekit.store.fitted_prior import (
    PRIOR_JSON,
    PRIOR_WEIGHTS,
    build_fitted_prior,
    save_fitted_prior,
)

# The most codes the mixture is fitted on (EM takes seconds), and the draws of q(z|x) per
# training example when the split is small.
FIT_CODES = 20_000
DRAWS = 4
# The share of a time budget (train.max_minutes) kept for fitting the prior after the last
# epoch: EM on 20,000 codes of 16 dimensions takes a few CPU-seconds.
BUDGET_SHARE = 0.1


def prior_to_fit(model: VAE, modality: Any) -> str | None:
    """The prior ``modality`` fits on the codes of ``model`` once trained (its
    ``fitted_prior``), or None: a model whose latent has no Gaussian units, fits its own prior
    afterwards, or trained a prior other than N(0, I) (which the user chose) keeps it."""
    caps = model.latent.caps
    if not (caps.density and caps.gaussian_units) or caps.fitted_prior or caps.prior_on_top:
        return None
    return modality.fitted_prior if model.prior.standard_normal else None


@torch.no_grad()
def posterior_draws(model: VAE, x: Tensor, y: Tensor | None, seed: int,
                    batch_size: int = 1000) -> Tensor:
    """Draws of q(z|x) over the examples x: (N, *shape) (a seeded subset of ``FIT_CODES`` of
    them when there are more), ``DRAWS`` per example or fewer so that at most ``FIT_CODES``
    come back: (M, L) on the CPU."""
    g = torch.Generator().manual_seed(seed)
    if len(x) > FIT_CODES:
        pick = torch.randperm(len(x), generator=g)[:FIT_CODES]
        x, y = x[pick], None if y is None else y[pick]
    draws = max(1, min(DRAWS, FIT_CODES // max(1, len(x))))
    noise = torch.Generator(device=model.device).manual_seed(seed)
    out = []
    model.eval()
    for i in range(0, len(x), batch_size):
        yb = None if y is None else y[i : i + batch_size].to(model.device)
        q = model.encode(x[i : i + batch_size].to(model.device), yb)
        out.append(q.rsample(draws, noise).flatten(0, 1).float().cpu())  # (draws * B, L)
    return torch.cat(out)


def fit_code_prior(model: VAE, name: str, most: int, out: Path, train: tuple[Tensor, Tensor | None],
                   held: tuple[Tensor, Tensor | None], objective: Any, log_jacobian: float,
                   seed: int, eval_batch_size: int, report: Callable[[str], None]) -> bool:
    """Fit the registered prior ``name`` (at most ``most`` components, fewer for a small
    split) to draws of q(z|x) on the ``train`` split; when its -ELBO on ``held`` (the
    validation split) is below the trained prior's, give it to ``model``, save it in ``out``
    (with both numbers, nats per example in the data's units) and return True; else keep the
    trained prior (and remove a prior fitted on earlier weights) and return False."""
    x, y = train
    components = components_for(len(x), most)
    before = evaluate_split(model, objective, *held, eval_batch_size,
                            torch.Generator(device=model.device).manual_seed(seed))
    prior = build_fitted_prior(model, name, {"components": components})
    prior.fit(posterior_draws(model, x, y, seed), seed)
    trained = model.prior
    model.prior = prior.to(model.device).eval()
    after = evaluate_split(model, objective, *held, eval_batch_size,
                           torch.Generator(device=model.device).manual_seed(seed))
    nll, nll_trained = after.loss - log_jacobian, before.loss - log_jacobian
    if nll >= nll_trained:  # chosen on validation: the mixture must do better than N(0, I)
        del model.prior  # the mixture is a module of the model; N(0, I) is not
        model.prior = trained
        for name in (PRIOR_JSON, PRIOR_WEIGHTS):  # one fitted on earlier weights is stale
            (out / name).unlink(missing_ok=True)
        report(f"prior: kept {trained.description}: {prior.description} gave validation -ELBO "
               f"{nll:.3f} nats, not below its {nll_trained:.3f}")
        return False
    save_fitted_prior(out, name, {"components": components}, prior, {
        "fitted_on": "draws of q(z|x) on the training split", "seed": seed,
        "heldout": {"neg_elbo": nll, "neg_elbo_trained_prior": nll_trained,
                    "units": "nats per example", "trained_prior": trained.description}})
    report(f"prior: {prior.description} (validation -ELBO {nll:.3f} nats; {nll_trained:.3f} "
           f"under {trained.description})")
    return True
