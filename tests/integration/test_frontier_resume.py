"""The frontier benchmark goes on with a contender whose training was interrupted: from its last
checkpoint, with the snapshots it had kept and the minutes it had trained."""

from __future__ import annotations

import argparse
import itertools
import json

import pytest
from conftest import tiny_config

from benchmarks import frontier
from vaekit.store.metrics import read_metrics


class Interrupted(Exception):
    """Stands for a kill while the contender trains."""


def _cut_at(hook: str):
    """Snapshots that stop the training in ``hook`` (after the epoch-2 checkpoint, or when
    training has ended but before the run is marked complete)."""

    class Cut(frontier.Snapshots):
        def on_epoch_end(self, epoch, row, model):
            super().on_epoch_end(epoch, row, model)
            if hook == "epoch" and epoch == 2:
                raise Interrupted

        def on_train_end(self, run):
            if hook == "end":
                raise Interrupted
            super().on_train_end(run)

    return Cut


@pytest.mark.parametrize("hook", ["epoch", "end"])
def test_an_interrupted_contender_resumes_with_its_snapshots(tmp_path, monkeypatch, one_thread,
                                                             hook):
    cfg = tiny_config("train.epochs=4")
    args = argparse.Namespace(minutes=30.0, every=1e-9)  # a snapshot after every epoch
    run = tmp_path / "contender"
    with monkeypatch.context() as m:
        m.setattr(frontier, "Snapshots", _cut_at(hook))
        with pytest.raises(Interrupted):
            frontier.trained(run, cfg, args)
    assert not (run / "snapshots" / "index.json").exists()

    frontier.trained(run, cfg, args)  # a new run here would be refused: the folder holds one

    rows = read_metrics(run / "metrics.csv")
    index = json.loads((run / "snapshots" / "index.json").read_text())
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert [k["epoch"] for k in index] == [1, 2, 3, 4]
    trained = itertools.accumulate(float(r["seconds"]) for r in rows)
    # metrics.csv keeps 6 significant digits: the resumed minutes are rebuilt from them
    assert [k["minutes"] for k in index] == pytest.approx([s / 60 for s in trained], rel=1e-5)
    assert all((run / "snapshots" / k["file"]).exists() for k in index)
