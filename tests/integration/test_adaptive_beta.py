"""An adaptive KL weight (``objective.kl_schedule=adaptive``) follows the validation split and is
part of exact resume."""

import csv

import pytest
import torch
from safetensors.torch import load_file

from vaekit import load_config
from vaekit.training.trainer import train

pytestmark = pytest.mark.integration


def _config(epochs: int):
    return load_config({
        "data": {"name": "digits", "binarize": "dynamic"},
        "model": {"hidden": [32], "latent_dim": 4},
        "objective": {"beta": 0.5, "kl_schedule": "adaptive", "kl_patience": 1,
                      "kl_decay": 0.5, "beta_min": 0.01},
        "train": {"epochs": epochs, "batch_size": 256, "seed": 1, "lr": 0.03},
    })


def _rows(run):
    with open(run / "metrics.csv") as f:
        return list(csv.DictReader(f))


def test_the_weight_falls_on_stale_epochs_and_resumes_exactly(tmp_path):
    full = train(_config(6), tmp_path / "full", progress=False)
    betas = [float(r["beta"]) for r in full.metrics]
    assert betas[0] == 0.5 and min(betas) < 0.5  # a large rate makes the validation loss stall
    # Each epoch's weight is the previous one's, or half of it after a stale epoch.
    recon = [float(r["val_recon"]) for r in full.metrics]
    for i in range(1, len(betas)):
        stale = recon[i - 1] >= min(recon[:i - 1], default=float("inf"))
        assert betas[i] == (max(0.01, betas[i - 1] / 2) if stale else betas[i - 1])

    train(_config(3), tmp_path / "cut", progress=False)
    train(_config(6), tmp_path / "cut", resume=True, progress=False)
    a, b = load_file(tmp_path / "full/model.safetensors"), load_file(tmp_path / "cut/model.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert [r["beta"] for r in _rows(tmp_path / "full")] == [r["beta"] for r in _rows(tmp_path / "cut")]
