"""Every registered component of every kind meets one contract, whether or not a variant uses
it: it builds, its forward pass is finite, the loss falls in a few steps, and save -> reload gives
identical outputs. A prior fitted after training and each sampler meet the same contract in
their own terms. A new component joins by being registered.

Each component runs in the first composition that takes it: a variant whose preset names it,
else a variant with it swapped in (``vae`` first), else a tiny mixed-type table for a likelihood
only a table's columns can give. The compositions are found when a test runs, never when it is
collected.
"""

from __future__ import annotations

import copy
import importlib.util
import tempfile
import warnings
from pathlib import Path

import pytest
import torch

import vaekit
from vaekit import registry
from vaekit.config.schema import Config, DataConfig
from vaekit.data import Dataset, load_data
from vaekit.errors import ConfigError
from vaekit.model.build import build_model
from vaekit.objectives import Batch, build_objective
from vaekit.store.model_files import load_model, save_model
from vaekit.training.likelihood_choice import resolve_likelihood

pytestmark = pytest.mark.usefixtures("one_thread")

# Config keys that name a component of each kind.
KEYS = {"arch": ("model", "arch"), "latent": ("model", "latent"), "prior": ("model", "prior"),
        "likelihood": ("model", "likelihood"), "objective": ("objective", "name"),
        "conditioner": ("model", "conditioner")}
# Sizes of the architectures, set where the chosen one takes them.
SMALL = {"hidden": [32], "channels": [8, 16]}
HAS_TABLES = importlib.util.find_spec("pandas") is not None
COMPONENTS = [(kind, name) for kind in KEYS for name in registry.names(kind)]


def _variants() -> list[str]:
    return sorted(registry.names("variant"), key=lambda v: v != "vae")


def _resolved(raw: dict) -> Config:
    return vaekit.load_config(copy.deepcopy(raw))


def _small(raw: dict) -> dict:
    """``raw`` with the chosen architecture shrunk, and 4 latent dimensions unless the variant
    sets its own."""
    cfg = _resolved(raw)
    model = dict(raw.get("model", {}))
    sizes = {k: v for k, v in SMALL.items() if k in registry.options("arch", cfg.model.arch)}
    model["arch_args"] = {**cfg.model.arch_args, **sizes}
    preset = registry.get("variant", cfg.model.variant).defaults.get("model", {})
    if "latent_dim" not in preset and "latent_dim" not in model:
        model["latent_dim"] = 4
    return {**raw, "model": model}


def _mixed_table() -> Path:
    """A tiny CSV of every column type: continuous, integer, boolean, categorical, a missing
    cell and a label."""
    path = Path(tempfile.mkdtemp(prefix="vaekit-kinds-")) / "mixed.csv"
    g = torch.Generator().manual_seed(0)
    lines = ["speed,count,member,colour,label"]
    for i in range(120):
        speed = "" if i == 7 else f"{float(torch.randn(1, generator=g)) * 3 + (10 if i % 2 else 30):.3f}"
        lines.append(f"{speed},{i % 13},{'yes' if i % 3 else 'no'},{'rgb'[i % 3]},{i % 2}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _candidates(kind: str, name: str):
    """Raw configs that might take component ``name`` of ``kind``, best first: the data that
    declare a likelihood, a variant that names the component, a variant with it swapped in."""
    section, key = KEYS[kind]
    if kind == "likelihood" and HAS_TABLES:
        table = {"name": "table", "path": str(_mixed_table())}
        if load_data(DataConfig(**table)).likelihood[0] == name:
            yield {"data": table, "model": {"likelihood": name}}
    using = [v for v in _variants() if getattr(getattr(_resolved({"model": {"variant": v}}),
                                                       section), key) == name]
    for v in using:
        yield {"model": {"variant": v}}
    for v in _variants():
        if v not in using:
            raw: dict = {"model": {"variant": v}}
            raw.setdefault(section, {})[key] = name
            yield raw


def composition(kind: str, name: str) -> tuple[Config, Dataset]:
    """The first small config that builds with ``name`` and the data it runs on."""
    for raw in _candidates(kind, name):
        raw.setdefault("data", {"name": "digits"})
        try:
            cfg = vaekit.load_config(_small(raw))
            ds = load_data(cfg.data)
            cfg = resolve_likelihood(cfg, ds)
            build_model(cfg.model, tuple(ds.train.shape[1:]))
            build_objective(cfg.objective)
        except ConfigError:
            continue
        return cfg, ds
    raise AssertionError(f"{kind} {name!r} composes with no variant and no data source"
                         + ("" if HAS_TABLES else " (pandas, to read a table, is not installed)"))


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


def test_every_kind_has_components():
    assert all(registry.names(kind) for kind in KEYS)


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
    from vaekit.artifacts.prior_files import build_fitted_prior, save_fitted_prior
    from vaekit.artifacts.run_context import RunContext

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
