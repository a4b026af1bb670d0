"""``vaekit sample`` on a VQ-VAE: one line of error before ``train-prior``, images after."""

from __future__ import annotations

import json

import pytest
from cli_support import run_cli as _cli
from PIL import Image

VQ = ["--set", "model.variant=vq_vae", "--set", "model.channels=[8,16]", "--set",
      "model.latent_dim=4", "--set", "model.latent_args={codebook_size: 16, code_dim: 4}",
      "--epochs", "1", "--no-progress"]


def test_sample_needs_the_code_prior_then_draws_images(capsys, tmp_path):
    run = tmp_path / "vq"
    code, _, err = _cli(capsys, "train", "--out", str(run), *VQ)
    assert code == 0, err
    code, _, err = _cli(capsys, "sample", str(run), "--out", str(tmp_path / "s.png"))
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1, err
    assert lines[0] == f"error: {run} has no prior fitted on its codes yet (its draws would be " \
                       f"noise): run vaekit train-prior {run} first"
    assert not (tmp_path / "s.png").exists()

    code, out, err = _cli(capsys, "train-prior", str(run), "--epochs", "1", "--width", "16",
                          "--depth", "1", "--heads", "2")
    assert code == 0, err
    assert "validation NLL" in out and (run / "prior.safetensors").exists()
    meta = json.loads((run / "prior.json").read_text())
    held = meta["heldout"]
    assert held["split"] == "val" and held["n"] == 144  # never the test split
    assert held["nll"] > 0 and abs(held["nll"] - held["recon"] - held["prior_nll"]) < 1e-3
    assert held["bits_per_dim"] == pytest.approx(held["nll"] / (64 * 0.6931471805599453))

    code, _, err = _cli(capsys, "sample", str(run), "-n", "8", "--out", str(tmp_path / "s.png"))
    assert code == 0, err
    img = Image.open(tmp_path / "s.png")
    assert img.mode == "L" and img.size[0] > 8


def test_train_prior_refuses_a_gaussian_vae(capsys, tiny_run):
    code, _, err = _cli(capsys, "train-prior", str(tiny_run))
    assert code == 2 and "there is no prior to fit afterwards" in err
    assert len(err.strip().splitlines()) == 1
