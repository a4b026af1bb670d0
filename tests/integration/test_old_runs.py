"""Run folders written by vaekit 0.1 (before each part had its own ``<kind>_args``) still open,
give the same outputs as the release that wrote them, and evaluate, sample and report.

``tests/data/runs_0.1`` holds three tiny digits runs made by that release (an MLP VAE, a conv
VAE with flat ``model.hidden``/``model.channels``, a VQ-VAE with a ``prior.json`` of its
code prior) and ``golden.safetensors``: reconstructions and log p(z) it computed on 8 test
images."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import vaekit
from vaekit.artifacts.run_context import RunContext
from vaekit.dists.likelihoods.bernoulli import BernoulliDist
from vaekit.errors import DataError
from vaekit.report.build import build_report

DATA = Path(__file__).resolve().parents[1] / "data" / "runs_0.1"
GOLDEN = load_file(str(DATA / "golden.safetensors"))


@pytest.fixture(params=["vae", "conv", "vq"])
def old_run(request, tmp_path) -> tuple[str, Path]:
    run = tmp_path / request.param
    shutil.copytree(DATA / request.param, run)
    return request.param, run


def _release_agrees(ctx: RunContext, result) -> bool:
    """Today's evaluation against the held-out terms the 0.1 trainer wrote in metrics.csv (the
    same split, binarized by the same fixed draw): the reconstruction term within 4 standard
    errors, the closed-form KL to 1e-4 nats, unless a prior fitted after training replaced the
    one the trainer scored with."""
    with open(ctx.path / "metrics.csv") as f:
        last = list(csv.DictReader(f))[-1]
    recon_ok = abs(-result.recon - float(last["test_recon"])) < 4 * result.recon_se + 1e-4
    kl_ok = ctx.prior_fitted or abs(result.kl - float(last["test_kl"])) < 1e-4
    return recon_ok and kl_ok


def test_a_likelihood_missing_its_normalizer_disagrees_with_the_release(old_run, monkeypatch):
    """Bernoulli without its -softplus(logits) term: the check above rejects it."""
    monkeypatch.setattr(BernoulliDist, "log_prob_elementwise", lambda self, x: x * self.logits)
    _, run = old_run
    assert not _release_agrees(RunContext.open(run), vaekit.evaluate(run, k=4))


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


def test_resuming_an_old_run_reads_its_converted_config(old_run, capsys):
    """A 0.1 run has no checkpoint: the refusal says so, not that its config holds options of
    components it does not use."""
    from cli_support import run_cli

    _, run = old_run
    code, _, err = run_cli(capsys, "train", "--resume", str(run), "--epochs", "2", "--no-progress")
    lines = [ln for ln in err.splitlines() if not ln.startswith("note: ")]
    assert code == 2 and len(lines) == 1 and "no checkpoint to resume from" in lines[0], err


def test_an_old_run_evaluates_samples_and_reports(old_run):
    _name, run = old_run
    ctx = RunContext.open(run)
    result = vaekit.evaluate(run, k=4)
    assert result.prior == ctx.model.prior.description
    assert _release_agrees(ctx, result)
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
