"""Run folders written by vaekit 0.1 (before each part had its own ``<kind>_args``) still open,
give the same outputs as the release that wrote them, and evaluate, sample and report.

``tests/data/runs_0.1`` holds three tiny digits runs made by that release (an MLP VAE, a conv
VAE with flat ``model.hidden``/``model.channels``, a VQ-VAE with a ``prior.json`` of its
code prior) and ``golden.safetensors``: reconstructions and log p(z) it computed on 8 test
images."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import vaekit
from vaekit.artifacts.run_context import RunContext
from vaekit.errors import DataError
from vaekit.report.build import build_report

DATA = Path(__file__).resolve().parents[1] / "data" / "runs_0.1"
GOLDEN = load_file(str(DATA / "golden.safetensors"))


@pytest.fixture(params=["vae", "conv", "vq"])
def old_run(request, tmp_path) -> tuple[str, Path]:
    run = tmp_path / request.param
    shutil.copytree(DATA / request.param, run)
    return request.param, run


def test_an_old_run_gives_the_outputs_of_the_release_that_wrote_it(old_run):
    name, run = old_run
    ctx = RunContext.open(run)
    x = GOLDEN[f"{name}.x"]
    # The same numbers up to float rounding: oneDNN picks convolution kernels by the CPU's
    # instruction set (AVX-512, AMX), so the last bits of a conv output differ between machines.
    torch.testing.assert_close(ctx.model.reconstruct(x), GOLDEN[f"{name}.reconstruct"],
                               rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        log_prior = ctx.model.prior.log_prob(ctx.model.encode(x).mean).float()
    torch.testing.assert_close(log_prior, GOLDEN[f"{name}.log_prior"])
    # Flat architecture options of 0.1 became the architecture's own options.
    assert ctx.config.model.arch_args == {"vae": {"hidden": [16]}, "conv": {"channels": [4, 8]},
                                          "vq": {"channels": [8, 16]}}[name]
    assert ctx.prior_fitted is (name == "vq")


def test_an_old_run_evaluates_samples_and_reports(old_run):
    _name, run = old_run
    ctx = RunContext.open(run)
    result = vaekit.evaluate(run, k=4)
    assert result.elbo <= -result.nll + 1e-6 and result.prior == ctx.model.prior.description
    images = ctx.model.sample(4, generator=torch.Generator().manual_seed(0))
    assert images.shape == (4, 1, 8, 8) and torch.isfinite(images).all()
    assert "Samples" in build_report(run)


def test_an_old_run_keeps_its_splits_and_says_its_curve_read_test(old_run):
    """Runs made before validation splits trained on the whole training split and scored their
    per-epoch curve on test: they reopen with those splits, and say so."""
    _name, run = old_run
    ctx = RunContext.open(run)
    assert ctx.config.data.val_size is None
    assert ctx.spec.curve_split == "test" and "made before validation splits" in ctx.spec.validation
    assert len(ctx.dataset.train) == ctx.spec.sizes["train"] == 1438  # no validation carved
    assert ctx.dataset.val is None
    with pytest.raises(DataError, match="no validation split"):
        ctx.split("val")
    assert "test -ELBO" in build_report(run)  # the report names the split its curve read
