"""Campaign, state that no longer fits: a run's config.json edited after training (hidden
sizes, latent size, optimizer), a table file given a new category, a checkpoint of another
structure, options --resume cannot honour, a tracker that cannot log. ``train --resume`` says
what differs in one line, exit 2, before it trains, and leaves the run's files as they were."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from campaign_support import TINY_TABLE, call, people, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EDITS = ["hidden", "latent", "optimizer", "category", "state", "flags", "tensorboard"]


@pytest.fixture(scope="module")
def table_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("state")
    code, err = call(["train", "--data", str(people(root / "people.csv")), "--out",
                      str(root / "run"), *TINY_TABLE])
    assert code == 0, err
    return root / "run"


def _edit_config(run: Path, edit: dict) -> None:
    raw = json.loads((run / "config.json").read_text())
    for dotted, value in edit.items():
        *parents, key = dotted.split(".")
        node = raw
        for p in parents:
            node = node[p]
        node[key] = value
    (run / "config.json").write_text(json.dumps(raw))


@st.composite
def _edited(draw: st.DrawFn, edit: str, run: Path, work: Path) -> list[str]:
    """Change ``run`` (or the options) in the way ``edit`` names; the argv that resumes it."""
    argv = ["train", "--resume", str(run), "--epochs", "3", "--no-progress"]
    if edit == "hidden":
        _edit_config(run, {"config.model.arch_args.hidden": draw(st.sampled_from(
            [[8], [64], [32, 32]]))})
    elif edit == "latent":
        _edit_config(run, {"config.model.latent_dim": draw(st.sampled_from([1, 3, 8]))})
    elif edit == "optimizer":
        _edit_config(run, {"config.train.optimizer": "adamax"})
    elif edit == "category":  # the run's table, copied, with a colour it never saw
        data = people(work / "people.csv")
        data.write_text(data.read_text() + f"171.5,40,{draw(st.sampled_from(['purple', 'x']))}\n")
        _edit_config(run, {"config.data.path": str(data)})
    elif edit == "state":
        import torch

        (state,) = run.glob("checkpoints/epoch-*/state.pt")
        torch.save(draw(st.sampled_from([{"weights": torch.zeros(2)}, [1, 2], torch.zeros(3),
                                         {"model": {}, "optimizer": {}, "epoch": 1}])), state)
    elif edit == "flags":
        argv += draw(st.sampled_from([["--set", "train.lr=0.5"], ["--data", "digits"],
                                      ["--seed", "3"], ["--out", str(work / "elsewhere")],
                                      ["--config", str(people(work / "c.csv"))]]))
    else:
        pytest.importorskip("tensorboard")
        (run / "tensorboard").write_text("a file where the event folder goes")
        argv += ["--track", "tensorboard"]
    return argv


@pytest.mark.parametrize("edit", EDITS)
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_resume_of_a_run_that_no_longer_fits_says_what_differs(edit, tiny_run, table_run,
                                                               tmp_path_factory, data):
    work = tmp_path_factory.mktemp("resume")
    run = work / "run"
    shutil.copytree(table_run if edit == "category" else tiny_run, run)
    argv = data.draw(_edited(edit, run, work))
    before = snapshot(run)
    code, err = call(argv)
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert code == 2 and "Traceback" not in err, (argv, code, err[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
    assert snapshot(run) == before, argv
