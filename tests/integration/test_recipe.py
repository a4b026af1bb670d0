"""The training recipe on tiny digits runs: skipped steps, the moving average of the weights,
the time budget."""

import csv

import torch
from safetensors.torch import load_file

import vaekit
from vaekit.model.build import build_model
from vaekit.store.checkpoint import load_checkpoint
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


def test_ema_weights_are_saved_and_loaded_the_raw_ones_kept_beside(tmp_path, one_thread):
    # One step per epoch (the whole training split in a batch): after it the average is
    # 0.1 * initial + 0.9 * trained, its first update's decay min(0.999, 1 / 10).
    run = tmp_path / "r"
    out = vaekit.train(_config(epochs=1, batch_size=2048, ema=0.999, warmup_steps=4), run)
    ema, raw = load_file(run / "model.safetensors"), load_file(run / "model_raw.safetensors")
    initial = _initial_weights(run)
    params = dict(out.model.named_parameters())
    assert params and all(torch.allclose(ema[k], 0.1 * initial[k] + 0.9 * raw[k], atol=1e-6)
                          for k in params)
    assert not all(torch.equal(ema[k], raw[k]) for k in params)
    loaded = vaekit.load(run).state_dict()  # evaluate, sample and serve open this
    assert all(torch.equal(loaded[k], ema[k]) and torch.equal(out.model.state_dict()[k], ema[k])
               for k in ema)
    ckpt = load_checkpoint(run)
    assert ckpt["ema"]["updates"] == 1
    assert all(torch.equal(ckpt["model"][k], raw[k]) and torch.equal(ckpt["ema"]["weights"][k],
                                                                     ema[k]) for k in raw)
    assert float(_rows(run)[0]["lr"]) == 1e-3 / 4  # the warm-up's first step


def test_a_time_budget_stops_cleanly_with_a_saved_run_and_resumes_to_a_new_total(
        tmp_path, capsys, one_thread):
    # 0.06 ms: spent within the first step, so the run stops before its second.
    run = tmp_path / "r"
    out = vaekit.train({**TINY, "train": {"batch_size": 256, "max_minutes": 1e-6,
                                          "lr_schedule": "cosine"}}, run)
    said = capsys.readouterr().out
    assert "time budget of 1e-06 min spent: stopped in epoch 1, at step 1;" in said
    assert [(r["epoch"], r["step"]) for r in _rows(run)] == [("1", "1")]
    cfg, _ = read_run_config(run)
    assert cfg.train.epochs is None and cfg.train.max_minutes == 1e-6  # only the budget ends it
    assert load_checkpoint(run)["elapsed"] > 1e-6 * 60
    model = vaekit.load(run)
    assert all(torch.equal(v, out.model.state_dict()[k]) for k, v in model.state_dict().items())

    vaekit.train(cfg, run, resume=True)  # the same budget: nothing left to train
    assert "has spent its time budget of 1e-06 min (epoch 1, step 1)" in capsys.readouterr().out
    assert len(_rows(run)) == 1
    more = cfg.model_copy(deep=True)
    more.train.max_minutes, more.train.epochs = 10.0, 2  # a new total, and a bound to end sooner
    vaekit.train(more, run, resume=True)
    assert [(r["epoch"], r["step"]) for r in _rows(run)] == [("1", "1"), ("2", "7")]
