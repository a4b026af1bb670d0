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


def test_opening_an_old_run_converts_its_config_and_says_so_once(old_run, capsys):
    name, run = old_run
    RunContext.open(run)
    RunContext.open(run)
    notes = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("note: ")]
    assert len(notes) == 1 and f"{run / 'config.json'} holds a vaekit 0.1 config" in notes[0]
    assert ("model.hidden" if name != "vae" else "model.channels") in notes[0]


def test_an_old_run_evaluates_samples_and_reports(old_run):
    _name, run = old_run
    ctx = RunContext.open(run)
    result = vaekit.evaluate(run, k=4)
    assert result.elbo <= -result.nll + 1e-6 and result.prior == ctx.model.prior.description
    images = ctx.model.sample(4, generator=torch.Generator().manual_seed(0))
    assert images.shape == (4, 1, 8, 8) and torch.isfinite(images).all()
    assert "Samples" in build_report(run)
