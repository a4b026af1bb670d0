"""The training recipe on tiny digits runs: skipped steps."""

import csv

import torch
from safetensors.torch import load_file

import vaekit
from vaekit.model.build import build_model
from vaekit.store.model_files import read_run_config

TINY = {"model": {"hidden": [16], "latent_dim": 2}, "train": {"epochs": 2, "batch_size": 256}}


def _config(**train):
    return {**TINY, "train": {**TINY["train"], **train}}


def _rows(run):
    with open(run / "metrics.csv") as f:
        return list(csv.DictReader(f))


def _initial_weights(run):
    """The weights the run started from: its model built under its seed, as the trainer does."""
    cfg, raw = read_run_config(run)
    torch.manual_seed(cfg.train.seed)
    return build_model(cfg.model, tuple(raw["shape"])).state_dict()


def test_a_step_whose_gradient_norm_is_too_large_is_skipped_and_counted(tmp_path, capsys,
                                                                         one_thread):
    run = tmp_path / "r"
    vaekit.train(_config(skip_grad_norm=1e-12, grad_clip=1.0), run)
    rows = _rows(run)
    assert [int(r["skipped_steps"]) for r in rows] == [6, 6]  # 1438 examples, 6 steps per epoch
    assert [int(r["step"]) for r in rows] == [6, 12]
    saved, initial = load_file(run / "model.safetensors"), _initial_weights(run)
    assert all(torch.equal(saved[k], initial[k]) for k in initial)
    assert "skipped 6" in capsys.readouterr().out


def test_skipped_steps_is_logged_only_when_skipping_is_on(tmp_path, capsys, one_thread):
    run = tmp_path / "r"
    vaekit.train(_config(epochs=1, skip_grad_norm=1e6), run)
    assert _rows(run)[0]["skipped_steps"] == "0"
    assert "skipped" not in capsys.readouterr().out
    vaekit.train(_config(epochs=1), tmp_path / "plain")
    assert "skipped_steps" not in _rows(tmp_path / "plain")[0]
