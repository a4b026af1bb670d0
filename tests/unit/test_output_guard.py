"""The output guard: an output the user names is refused when it is a file of a run or of the
data being read, whichever is known first; vaekit's own writes are never checked."""

from __future__ import annotations

import os

import pytest

from vaekit.store import paths
from vaekit.store.paths import OutputError, claim_output, protect_input, protect_run


@pytest.fixture
def guard():
    token = paths.begin()
    yield
    paths.end(token)


def test_run_files_name_every_file_vaekit_keeps_in_a_run():
    from vaekit.artifacts.sampler_files import FOLDER as SAMPLERS
    from vaekit.artifacts.scores import FOLDER as SCORES
    from vaekit.store.checkpoint import DIR as CHECKPOINTS
    from vaekit.store.eval_file import EVAL_FILE
    from vaekit.store.fitted_prior import PRIOR_JSON, PRIOR_WEIGHTS
    from vaekit.store.model_files import CONFIG, RAW_WEIGHTS, WEIGHTS
    from vaekit.store.run_dir import METRICS
    from vaekit.tracking.mlflow import RUN_FILE
    from vaekit.tracking.tensorboard import DIR as TENSORBOARD

    assert {CONFIG, WEIGHTS, RAW_WEIGHTS, METRICS, EVAL_FILE, PRIOR_JSON, PRIOR_WEIGHTS,
            RUN_FILE} <= paths.RUN_FILES
    assert {CHECKPOINTS, SAMPLERS, SCORES, TENSORBOARD} <= paths.RUN_FOLDERS


@pytest.mark.parametrize("first", ["output", "run"])
def test_a_run_file_is_refused_whichever_is_named_first(guard, tmp_path, first):
    run = tmp_path / "run"
    (run / "checkpoints" / "e1").mkdir(parents=True)
    steps = [lambda: claim_output(run / "checkpoints" / "e1" / "state.pt"), lambda: protect_run(run)]
    if first == "run":
        steps.reverse()
    steps[0]()
    with pytest.raises(OutputError, match="a file of the run"):
        steps[1]()


def test_new_files_in_a_run_and_the_commands_own_run_file_are_allowed(guard, tmp_path):
    protect_run(tmp_path)
    claim_output(tmp_path / "samples.png")
    claim_output(tmp_path / "report.html")
    claim_output(tmp_path / "eval.json", own="eval.json")
    with pytest.raises(OutputError):
        claim_output(tmp_path / "eval.json")


def test_a_data_file_is_refused_through_another_name(guard, tmp_path):
    data = tmp_path / "people.csv"
    data.write_text("a\n1\n")
    os.link(data, tmp_path / "alias.csv")
    protect_input(data)
    claim_output(tmp_path / "other.csv")
    with pytest.raises(OutputError, match="data this command reads"):
        claim_output(tmp_path / "sub" / ".." / "alias.csv")


def test_nothing_is_written_into_a_data_folder(guard, tmp_path):
    claim_output(tmp_path / "images" / "new.png")
    (tmp_path / "images").mkdir()
    with pytest.raises(OutputError, match="inside"):
        protect_input(tmp_path / "images", "the image folder")


def test_without_a_command_nothing_is_checked(tmp_path):
    protect_run(tmp_path)
    claim_output(tmp_path / "model.safetensors")
