"""Every registered variant meets the same contract: build, finite forward, loss falls,
save -> load identical, sample shape. A new variant joins by being registered."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from vaekit import registry
from vaekit.config.load import load_config
from vaekit.config.schema import Config, DataConfig
from vaekit.data.digits import load_digits
from vaekit.model.build import build_model
from vaekit.objectives import Batch, build_objective
from vaekit.samplers import posterior_means
from vaekit.samplers.base import draw_images
from vaekit.samplers.gmm import GaussianMixtureSampler
from vaekit.store.model_files import load_model, save_model

VARIANTS = registry.names("variant")
SHAPE = (1, 28, 28)  # presets are tuned for 28x28 images (a VQ code grid is 7x7 there)
TINY = {"hidden": [64], "channels": [8, 16]}


def _config(variant: str) -> Config:
    """The variant's own preset; sizes of its architecture it does not set are shrunk to keep
    the suite fast."""
    preset = registry.get("variant", variant).defaults.get("model", {})
    arch = load_config(base={"model": {"variant": variant}}).model.arch
    small = {k: v for k, v in TINY.items() if k not in preset and k in registry.options("arch", arch)}
    return load_config(base={"model": {"variant": variant, **small}})


def _batch(cfg: Config) -> Batch:
    """64 real digits (8x8 upsampled to 28x28) with labels, thresholded for a discrete likelihood."""
    ds = load_digits(DataConfig())
    x = F.interpolate(ds.train[:64].float(), size=SHAPE[1:], mode="bilinear")
    x = (x > 0.5).float() if cfg.model.likelihood == "bernoulli" else x.clamp(0, 1)
    return Batch(x, ds.train_labels[:64])


def _setup(variant: str):
    torch.manual_seed(0)
    cfg = _config(variant)
    return cfg, build_model(cfg.model, SHAPE), build_objective(cfg.objective), _batch(cfg)


def test_the_family_is_registered():
    assert {"vae", "beta_vae", "cvae", "iwae", "ae"} <= set(VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_preset_names_registered_parts(variant):
    cfg = _config(variant)
    assert cfg.model.variant == variant
    assert cfg.objective.name in registry.names("objective")
    assert cfg.model.latent in registry.names("latent")


@pytest.mark.parametrize("variant", VARIANTS)
def test_builds_and_forward_is_finite(variant):
    _, model, objective, batch = _setup(variant)
    for step in (0, None):
        out = objective(model, batch, step, torch.Generator().manual_seed(0))
        assert out.loss.ndim == 0 and torch.isfinite(out.loss)
        assert out.bound.shape == (64,) and torch.isfinite(out.bound).all()
        assert out.recon.shape == (64,) and out.kl.shape == (64,)


@pytest.mark.parametrize("variant", VARIANTS)
def test_loss_falls_on_a_tiny_batch(variant):
    _, model, objective, batch = _setup(variant)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(1)
    losses = []
    for step in range(40):
        loss = objective(model, batch, step, g).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 1.0


@pytest.mark.parametrize("variant", VARIANTS)
def test_save_load_gives_identical_outputs(variant, tmp_path: Path):
    cfg, model, objective, batch = _setup(variant)
    with torch.no_grad():  # move every parameter away from its initialization
        for p in model.parameters():
            p.add_(0.01 * torch.randn_like(p))
    save_model(model, cfg, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.config.model.variant == variant
    model.eval()
    y = batch.y if model.conditioner is not None else None
    assert torch.equal(model.reconstruct(batch.x, y), loaded.reconstruct(batch.x, y))
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    with torch.no_grad():
        a, b = objective(model, batch, None, g1), objective(loaded, batch, None, g2)
    assert torch.equal(a.bound, b.bound) and torch.equal(a.loss, b.loss)


@pytest.mark.parametrize("variant", VARIANTS)
def test_sample_shape(variant):
    _, model, _, batch = _setup(variant)
    model.eval()
    y = torch.arange(6) % 10 if model.conditioner is not None else None
    if getattr(model.latent, "has_prior", True):
        g = torch.Generator().manual_seed(0)
        kwargs = {"y": y} if y is not None else {}
        assert model.sample(6, generator=g, **kwargs).shape == (6, *SHAPE)
    # Any model can be sampled through a density fitted on its codes.
    codes = posterior_means(model, batch.x, batch.y if model.conditioner is not None else None)
    gmm = GaussianMixtureSampler.fit(codes.flatten(1), n_components=2)
    if codes.ndim == 2:
        assert draw_images(model, gmm, 6, y).shape == (6, *SHAPE)
