"""Training on the embedded digits: the held-out loss falls, artifacts are complete."""

import csv
import json
import math

import torch

import vaekit
from vaekit.store.metrics import COLUMNS


def test_training_lowers_heldout_loss_below_a_golden_bound(tmp_path):
    run = vaekit.train({"model": {"hidden": [64], "latent_dim": 8, "likelihood":
                                  "continuous_bernoulli"},
                        "train": {"epochs": 8, "batch_size": 64, "lr": 3e-3}}, out=tmp_path / "r")
    losses = [float(r["val_loss"]) for r in run.metrics]
    assert len(losses) == 8
    assert losses[-1] < losses[0] - 20
    # Continuous-Bernoulli densities on [0, 1] exceed 1: a fitted model has a negative -ELBO.
    assert losses[-1] < -60, losses


def test_run_folder_layout_and_api_roundtrip(tiny_run):
    files = {p.name for p in tiny_run.iterdir()}
    assert {"config.json", "model.safetensors", "metrics.csv", "checkpoints"} <= files
    meta = json.loads((tiny_run / "config.json").read_text())
    assert meta["config"]["model"]["latent_dim"] == 4
    assert meta["vaekit_version"] == vaekit.__version__ and meta["torch_version"]
    assert meta["data"]["name"] == "digits" and meta["shape"] == [1, 8, 8]
    with open(tiny_run / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [c.format(h="val") for c in COLUMNS] and [r["epoch"] for r in rows] == ["1", "2"]
    assert all(float(r["seconds"]) > 0 for r in rows)

    model = vaekit.load(tiny_run)
    x = torch.rand(3, 1, 8, 8)
    q = model.encode(x)
    assert q.mean.shape == (3, 4)
    assert model.decode(q.mean).mean.shape == (3, 1, 8, 8)
    assert model.sample(6).shape == (6, 1, 8, 8)
    terms = vaekit.elbo_terms(model, x)
    assert terms.elbo.shape == (3,) and (terms.kl >= 0).all()


def test_non_finite_loss_stops_with_a_clear_error_and_keeps_the_checkpoint(tmp_path):
    import pytest

    from vaekit.errors import TrainingError

    with pytest.raises(TrainingError, match="last good checkpoint"):
        vaekit.train({"model": {"hidden": [16], "latent_dim": 2}, "train": {"epochs": 3,
                      "lr": 1e30}}, out=tmp_path / "r")
    assert (tmp_path / "r" / "checkpoints" / "latest").exists()
    vaekit.load(tmp_path / "r")  # the saved weights are still loadable


def test_posterior_collapse_is_warned_once(tmp_path):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # beta=50 drives the KL to zero: the classic collapse.
        vaekit.train({"model": {"hidden": [16], "latent_dim": 4, "likelihood":
                                "continuous_bernoulli"}, "objective": {"beta": 50.0},
                      "train": {"epochs": 4}}, out=tmp_path / "r")
    msgs = [str(w.message) for w in caught if "posterior collapse" in str(w.message)]
    assert len(msgs) == 1 and "free_bits" in msgs[0]


def test_healthy_run_is_not_warned(tmp_path):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vaekit.train({"model": {"hidden": [64], "latent_dim": 4, "likelihood":
                                "continuous_bernoulli"}, "train": {"epochs": 3, "lr": 3e-3}},
                     out=tmp_path / "r")
    assert not [w for w in caught if "posterior collapse" in str(w.message)]


def test_early_stopping_ends_training_before_the_epoch_budget(tmp_path):
    # A learning rate this small barely moves the loss: no improvement beats the noise for long.
    run = vaekit.train({"model": {"hidden": [16], "latent_dim": 2, "likelihood":
                                  "continuous_bernoulli"},
                        "train": {"epochs": 30, "lr": 1e-9, "early_stopping": 2}},
                       out=tmp_path / "r")
    assert 3 <= len(run.metrics) < 30


def test_bf16_autocast_trains_on_cpu(tmp_path):
    run = vaekit.train({"model": {"hidden": [64], "latent_dim": 4, "likelihood":
                                  "continuous_bernoulli"},
                        "train": {"epochs": 3, "lr": 3e-3, "precision": "bf16"}},
                       out=tmp_path / "r")
    losses = [float(r["val_loss"]) for r in run.metrics]
    assert all(map(math.isfinite, losses)) and losses[-1] < losses[0]


def test_fp16_on_cpu_is_a_clear_error(tmp_path):
    import pytest

    from vaekit.errors import ConfigError

    with pytest.raises(ConfigError, match="fp16 needs a GPU"):
        vaekit.train({"train": {"epochs": 1, "precision": "fp16"}}, out=tmp_path / "r")


def test_heldout_size_scores_the_first_examples_and_leaves_training_alone(tmp_path):
    def run(name, **train):
        return vaekit.train({"model": {"hidden": [16], "latent_dim": 2},
                             "train": {"epochs": 2, **train}}, out=tmp_path / name).metrics

    full, larger, few = run("full"), run("larger", heldout_size=10_000), run("few", heldout_size=20)
    def column(rows, key):
        return [r[key] for r in rows]

    assert column(few, "train_loss") == column(full, "train_loss")
    # A size past the split's end scores all of it.
    assert column(larger, "val_loss") == column(full, "val_loss")
    assert all(f != g for f, g in zip(column(few, "val_loss"), column(full, "val_loss"),
                                      strict=True))
