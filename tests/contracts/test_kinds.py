"""Every registered component of every kind meets one contract, whether or not a variant uses
it: it builds, its forward pass is finite, the loss falls in a few steps, and save -> reload gives
identical outputs. A prior fitted after training and each sampler meet the same contract in
their own terms. A new component joins by being registered.

Each component runs in the first composition that takes it (``contract_support.composition``):
the data that declare it (a table's likelihood), a variant whose preset names it, else a variant
with it swapped in (``vae`` first). The compositions are found when a test runs, never when it is
collected.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch
from contract_support import KEYS, composition

from vaekit import registry
from vaekit.model.build import build_model
from vaekit.objectives import Batch, build_objective
from vaekit.store.model_files import load_model, save_model

pytestmark = pytest.mark.usefixtures("one_thread")

COMPONENTS = [(kind, name) for kind in KEYS for name in registry.names(kind)]


def _setup(kind: str, name: str):
    cfg, ds = composition(kind, name)
    assert getattr(getattr(cfg, KEYS[kind][0]), KEYS[kind][1]) == name
    torch.manual_seed(0)
    model = build_model(cfg.model, tuple(ds.train.shape[1:]))
    x = ds.train[:64].float()
    if model.likelihood.binary_only:
        x = (x > 0.5).float()
    y = ds.train_labels[:64] if ds.train_labels is not None else None
    return cfg, model, build_objective(cfg.objective), Batch(x, y)


@pytest.mark.parametrize(("kind", "name"), COMPONENTS, ids=[f"{k}={n}" for k, n in COMPONENTS])
def test_a_component_builds_trains_and_round_trips(kind, name, tmp_path):
    latent = _fitted_latent(name) if kind == "prior" else None
    if latent is not None:  # a prior fitted on a trained model's codes (vaekit train-prior)
        _fitted_prior_contract(latent, name, tmp_path)
        return
    cfg, model, objective, batch = _setup(kind, name)
    # finite forward, in training and in evaluation
    for step in (0, None):
        out = objective(model, batch, step, torch.Generator().manual_seed(0))
        assert out.loss.ndim == 0 and torch.isfinite(out.loss)
        assert out.bound.shape == (len(batch.x),) and torch.isfinite(out.bound).all()
    # the loss falls in a few steps on one batch
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(1)
    losses = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # grey-level warnings of a binary likelihood, etc.
        for step in range(30):
            loss = objective(model, batch, step, g).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5, losses
    # save -> reload -> identical outputs
    with torch.no_grad():  # every parameter away from where it started
        for p in model.parameters():
            p.add_(0.01 * torch.randn_like(p))
    save_model(model, cfg, tmp_path)
    loaded = load_model(tmp_path)
    model.eval()
    assert torch.equal(model.reconstruct(batch.x, batch.y), loaded.reconstruct(batch.x, batch.y))
    with torch.no_grad():
        a = objective(model, batch, None, torch.Generator().manual_seed(5))
        b = objective(loaded, batch, None, torch.Generator().manual_seed(5))
    assert torch.equal(a.bound, b.bound)


def _fitted_latent(prior: str) -> str | None:
    """The latent whose prior ``prior`` is, fitted on its codes after training (or None)."""
    return next((latent for latent in registry.names("latent")
                 if registry.get("latent", latent).caps.fitted_prior == prior), None)


def _fitted_prior_contract(latent: str, prior_name: str, run: Path) -> None:
    """Build the prior on the codes of a model with ``latent``; its -log p(z) falls in a few
    steps; saved beside the model, the reopened run scores the codes identically."""
    from vaekit.artifacts.run_context import RunContext
    from vaekit.store.fitted_prior import build_fitted_prior, save_fitted_prior

    cfg, model, _, batch = _setup("latent", latent)
    model.eval()
    save_model(model, cfg, run)
    prior = build_fitted_prior(model, prior_name, {})
    with torch.no_grad():
        codes = model.encode(batch.x).mean
    opt = torch.optim.Adam(prior.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        loss = -prior.log_prob(codes).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(map(torch.isfinite, map(torch.tensor, losses)))
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5, losses
    save_fitted_prior(run, prior_name, {}, prior, {"note": "contract"})
    ctx = RunContext.open(run)
    prior.eval()
    with torch.no_grad():
        assert torch.equal(prior.log_prob(codes), ctx.model.prior.log_prob(codes))
    assert ctx.prior_fitted


@pytest.mark.parametrize("name", registry.names("sampler"))
def test_a_sampler_draws_finite_codes_and_is_the_same_when_the_run_is_reopened(name, tiny_run,
                                                                              tmp_path):
    import shutil

    from vaekit.artifacts.run_context import RunContext

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    first = RunContext.open(run).sampler(name, components=3)
    z = first.sample(16, torch.Generator().manual_seed(0))
    assert z.shape == (16, RunContext.open(run).model.latent_dim) and torch.isfinite(z).all()
    again = RunContext.open(run).sampler(name, components=3)  # a fitted one read back
    assert torch.equal(again.sample(16, torch.Generator().manual_seed(0)), z)
    assert again.description == first.description
