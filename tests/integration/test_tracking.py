"""Experiment trackers, read back with each library's own reader: a tiny digits run trained for
one epoch with ``train.track: [tensorboard, mlflow]`` and resumed for a second."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest
from cli_support import TINY, assert_one_line_error, run_cli
from conftest import tiny_config

from vaekit.config.load import load_config
from vaekit.store.metrics import read_metrics
from vaekit.tracking.base import flat_params, numeric
from vaekit.tracking.mlflow import store


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    pytest.importorskip("tensorboard")
    pytest.importorskip("mlflow")
    import torch
    from mlflow import MlflowClient
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from vaekit.training.trainer import train

    root = tmp_path_factory.mktemp("tracking")
    run, uri = root / "runs" / "tiny", str(root / "mlruns")
    first = tiny_config("train.epochs=1", "train.track=[tensorboard, mlflow]",
                        f"train.tracking_uri={uri}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with pytest.MonkeyPatch.context() as mp:
        # A file store opens in milliseconds; a new SQLite one (the default) migrates its schema
        # for several seconds. MLflow 3 asks for this switch before it opens a file store.
        mp.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        train(first, run, progress=False)
        second = first.model_copy(deep=True)
        second.train.epochs = 2
        train(second, run, resume=True, progress=False)
        events = EventAccumulator(str(run / "tensorboard"),
                                  size_guidance={"scalars": 0, "images": 0, "tensors": 0}).Reload()
        yield {"run": run, "uri": uri, "first": first, "events": events,
               "ids": json.loads((run / "mlflow.json").read_text()),
               "rows": read_metrics(run / "metrics.csv"), "client": MlflowClient(uri)}
    torch.set_num_threads(threads)


def test_tensorboard_has_every_metric_once_per_epoch_and_the_samples(tracked):
    events, rows = tracked["events"], tracked["rows"]
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    columns = numeric(rows[0])
    assert {"train_loss", "val_loss", "val_kl", "lr"} <= set(columns)
    # The resumed session added epoch 2 and repeated nothing; metrics.csv keeps 6 digits.
    for key in columns:
        logged = events.Scalars(key)
        assert [e.step for e in logged] == [1, 2], key
        assert [e.value for e in logged] == pytest.approx([float(r[key]) for r in rows], rel=1e-5)
    images = events.Images("samples")  # the grid at the end of each session
    assert [i.step for i in images] == [1, 2]
    assert images[1].width > 8 * 8 and images[1].encoded_image_string[:4] == b"\x89PNG"
    config = events.Tensors("config/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "| train.lr | 0.001 |" in config


def test_mlflow_resumes_one_run_with_metrics_params_and_artifacts(tracked):
    client, ids, rows = tracked["client"], tracked["ids"], tracked["rows"]
    assert ids["tracking_uri"] == tracked["uri"]
    (experiment,) = [e for e in client.search_experiments() if e.name == "vaekit"]
    (only,) = client.search_runs([experiment.experiment_id])
    assert only.info.run_id == ids["run_id"] and only.info.status == "FINISHED"
    assert only.info.run_name == "tiny"
    for key in numeric(rows[0]):
        history = sorted(client.get_metric_history(ids["run_id"], key), key=lambda m: m.step)
        assert [m.step for m in history] == [1, 2], key
        assert [m.value for m in history] == pytest.approx([float(r[key]) for r in rows], rel=1e-5)
    # The params are the first session's config; MLflow never changes a logged param.
    assert only.data.params == flat_params(tracked["first"])
    assert only.data.params["model.arch_args.hidden"] == "[32]"
    assert only.data.params["train.epochs"] == "1"
    names = {a.path for a in client.list_artifacts(ids["run_id"])}
    assert {"config.json", "metrics.csv", "model.safetensors", "samples.png", "tensorboard",
            "mlflow.json"} <= names
    assert "checkpoints" not in names
    events = {a.path for a in client.list_artifacts(ids["run_id"], "tensorboard")}
    assert len(events) == 2  # one event file per training session


@pytest.mark.parametrize("module", ["tensorboard", "mlflow"])
@pytest.mark.parametrize("nproc", ["1", "2"])
def test_a_missing_tracker_package_names_its_extra_before_the_run_exists(
        capsys, monkeypatch, tmp_path, module, nproc):
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    out = tmp_path / "run"
    code, _, err = run_cli(capsys, "train", "--out", str(out), *TINY, "--track", module,
                           "--nproc", nproc)
    assert_one_line_error(code, err, f"train.track {module}", f"pip install 'vaekit[{module}]'")
    assert not out.exists()


def test_an_unknown_tracker_lists_the_registered_ones(capsys, tmp_path):
    code, _, err = run_cli(capsys, "train", "--out", str(tmp_path / "run"), *TINY,
                           "--track", "wandb")
    assert_one_line_error(code, err, "unknown tracker 'wandb'", "mlflow", "tensorboard")
    assert not (tmp_path / "run").exists()


def test_the_mlflow_store_is_the_config_then_the_environment_then_sqlite_beside_the_runs(
        monkeypatch, tmp_path):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    runs = tmp_path.resolve() / "runs"
    run = runs / "a"
    assert store(run, load_config()) == (f"sqlite:///{runs}/mlflow.db",
                                         (runs / "mlartifacts").as_uri())
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    assert store(run, load_config()) == ("http://127.0.0.1:5000", None)
    assert store(run, load_config(overrides=["train.tracking_uri=sqlite:///x.db"])) == \
        ("sqlite:///x.db", None)
