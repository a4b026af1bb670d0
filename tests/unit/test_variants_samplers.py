"""Ex-post samplers: the Gaussian mixture fits, round-trips through save/load, refits when stale."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from vaekit.artifacts import sampler_files
from vaekit.artifacts.run_context import RunContext
from vaekit.samplers.base import draw_images
from vaekit.samplers.gmm import GaussianMixtureSampler
from vaekit.samplers.prior import PriorSampler
from vaekit.store.model_files import save_weights


def _codes() -> torch.Tensor:
    """Two tight clusters at (+5, +5) and (-5, -5), 3:1."""
    g = torch.Generator().manual_seed(0)
    a = torch.randn(300, 2, generator=g) * 0.1 + 5
    b = torch.randn(100, 2, generator=g) * 0.1 - 5
    return torch.cat([a, b])


def test_gmm_fit_recovers_the_clusters_and_samples_from_them():
    gmm = GaussianMixtureSampler.fit(_codes(), n_components=2, seed=0)
    order = gmm.means[:, 0].argsort()
    means, weights = gmm.means[order].float(), gmm.weights[order].float()
    assert torch.allclose(means, torch.tensor([[-5.0, -5.0], [5.0, 5.0]]), atol=0.05)
    assert torch.allclose(weights, torch.tensor([0.25, 0.75]), atol=1e-6)
    z = gmm.sample(2000, torch.Generator().manual_seed(1))
    assert z.shape == (2000, 2) and z.dtype == torch.float32
    assert abs((z[:, 0] > 0).float().mean().item() - 0.75) < 0.03
    assert (z.abs() - 5).abs().max() < 1.0


def test_gmm_round_trips_through_save_and_load(tmp_path):
    gmm = GaussianMixtureSampler.fit(_codes(), n_components=3, seed=0)
    sampler_files.save_sampler(tmp_path, gmm, {"model_sha256": "abc"})
    loaded, meta = sampler_files.load_sampler(tmp_path, "gmm")
    assert meta["model_sha256"] == "abc" and meta["n_components"] == 3
    for k, v in gmm.state().items():
        assert torch.equal(v, loaded.state()[k])
    g1, g2 = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    assert torch.equal(gmm.sample(50, g1), loaded.sample(50, g2))
    z = torch.randn(10, 2)
    assert torch.equal(gmm.log_prob(z), loaded.log_prob(z))
    assert not list(tmp_path.rglob("*.pkl")) and json.loads((tmp_path / "samplers/gmm.json").read_text())


def test_a_corrupt_saved_gmm_is_a_run_error(tmp_path):
    gmm = GaussianMixtureSampler.fit(_codes(), n_components=2)
    sampler_files.save_sampler(tmp_path, gmm, {})
    (tmp_path / "samplers/gmm.safetensors").write_bytes(b"junk")
    with pytest.raises(sampler_files.RunError, match="corrupt"):
        sampler_files.load_sampler(tmp_path, "gmm")


def test_the_run_context_fits_a_sampler_once_and_refits_when_the_weights_change(
        tiny_run, tmp_path, monkeypatch):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    ctx = RunContext.open(run)
    model = ctx.model
    assert isinstance(ctx.sampler("auto"), PriorSampler)
    first = ctx.sampler("gmm", components=3)
    assert (run / "samplers/gmm.json").exists()
    calls = []
    real_fit = GaussianMixtureSampler.fit
    monkeypatch.setattr(GaussianMixtureSampler, "fit",
                        lambda *a, **k: calls.append(1) or real_fit(*a, **k))
    again = RunContext.open(run).sampler("gmm", components=3)
    assert calls == [] and torch.equal(first.means, again.means)
    RunContext.open(run).sampler("gmm", components=4)  # another request: refitted
    assert calls == [1]
    with torch.no_grad():
        next(model.parameters()).add_(0.5)
    save_weights(model, run / "model.safetensors")
    RunContext.open(run).sampler("gmm", components=4)
    assert calls == [1, 1]
    images = draw_images(model, again, 5)
    assert images.shape == (5, *model.shape)
