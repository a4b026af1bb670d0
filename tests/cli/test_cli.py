"""The CLI: happy paths on a tiny run, and bad input -> one line on stderr, exit status 2."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from cli_support import TINY, assert_one_line_error, run_cli
from PIL import Image


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def test_help_lists_every_command(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for cmd in ("train", "quickstart", "sample", "reconstruct", "validate"):
        assert cmd in out
    code, out, _ = run_cli(capsys, "train", "--help")
    assert code == 0 and "--resume" in out and "--set" in out


def test_sample_and_reconstruct_write_pngs(capsys, tiny_run, tmp_path):
    code, _, err = run_cli(capsys, "sample", str(tiny_run), "-n", "10", "--out",
                           str(tmp_path / "s.png"))
    assert code == 0, err
    img = Image.open(tmp_path / "s.png")
    assert img.mode == "L" and img.size == (4 * 33 + 1, 3 * 33 + 1)  # 8x8 upscaled x4, 4 columns
    code, _, err = run_cli(capsys, "reconstruct", str(tiny_run), "-n", "8", "--out",
                           str(tmp_path / "r.png"))
    assert code == 0, err
    assert Image.open(tmp_path / "r.png").size == (8 * 33 + 1, 2 * 33 + 1)


def test_validate_reports_every_error_at_once(capsys, tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("model:\n  hiden: [3]\n  likelihood: weibull\ntrain:\n  lr: fast\n")
    code, _, err = run_cli(capsys, "validate", str(cfg))
    assert code == 2
    assert "model.hiden: unknown key" in err and "hidden" in err
    assert "train.lr" in err and "unknown likelihood 'weibull'" in err
    code, out, _ = run_cli(capsys, "validate", "configs/digits_mlp.yaml")
    assert code == 0 and "ok" in out


@pytest.fixture
def existing_run(tiny_run, tmp_path) -> Path:
    """A copy of a finished run that bad commands must leave untouched."""
    import shutil

    dst = tmp_path / "existing"
    shutil.copytree(tiny_run, dst)
    return dst


def _npz(tmp_path: Path, x: np.ndarray) -> str:
    path = tmp_path / "data.npz"
    np.savez(path, x=x)
    return str(path)


BAD = {
    "unknown data set": (lambda t: ["--data", "imagenet"], "imagenet"),
    "missing file": (lambda t: ["--data", str(t / "nope.npz")], "no such file"),
    "nan in npz": (lambda t: ["--data", _npz(t, np.full((20, 4, 4), np.nan, np.float32))],
                   "NaN"),
    "out of range for bernoulli": (
        lambda t: ["--data", _npz(t, np.random.default_rng(0).normal(size=(50, 6))
                                  .astype(np.float32)), "--set", "model.likelihood=bernoulli"],
        "bernoulli"),
    "unknown config key": (lambda t: ["--set", "model.hiddn=[3]"], "model.hiddn"),
    "wrong type": (lambda t: ["--set", "train.batch_size=many"], "train.batch_size"),
    "unknown likelihood": (lambda t: ["--set", "model.likelihood=weibull"], "weibull"),
    "missing config file": (lambda t: ["--config", str(t / "nope.yaml")], "nope.yaml"),
    "no time budget": (lambda t: ["--minutes", "0"], "--minutes"),
    "negative time budget": (lambda t: ["--minutes", "-1"], "--minutes"),
    "zero max_minutes": (lambda t: ["--set", "train.max_minutes=0"], "train.max_minutes"),
    "unknown optimizer": (lambda t: ["--set", "train.optimizer=sgd"], "train.optimizer"),
    "ema decay of 1": (lambda t: ["--set", "train.ema=1"], "train.ema"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_exit_2_and_leaves_runs_untouched(case, capsys, tmp_path,
                                                                 existing_run):
    make_args, needle = BAD[case]
    before = tree_digest(existing_run)
    code, _, err = run_cli(capsys, "train", *make_args(tmp_path), *TINY, "--out",
                           str(tmp_path / "new"))
    assert_one_line_error(code, err, needle)
    assert tree_digest(existing_run) == before


def test_minutes_sets_the_time_budget(capsys, tmp_path):
    out = tmp_path / "run"
    code, stdout, err = run_cli(capsys, "train", *TINY, "--minutes", "0.000001", "--out", str(out))
    assert code == 0, err
    assert "time budget of 1e-06 min spent: stopped in epoch 1, at step 1" in stdout
    assert json.loads((out / "config.json").read_text())["config"]["train"]["max_minutes"] == 1e-6


def test_truncated_gzip_idx_is_a_clear_error(capsys, tmp_path):
    folder = tmp_path / "fm"
    folder.mkdir()
    src = Path("/usr/share/datasets/fashion-mnist")
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        data = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x05" + bytes(5))
        (folder / f"{name}.gz").write_bytes(data)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x08\x00trunc")
    del src
    code, _, err = run_cli(capsys, "train", "--data", "fashion-mnist", "--set",
                           f"data.path={folder}", *TINY, "--out", str(tmp_path / "new"))
    assert_one_line_error(code, err, "train-images-idx3-ubyte.gz")
    assert not (tmp_path / "new").exists()


def test_training_into_an_existing_run_is_refused(capsys, existing_run):
    before = tree_digest(existing_run)
    code, _, err = run_cli(capsys, "train", *TINY, "--out", str(existing_run))
    assert_one_line_error(code, err, "already holds a run", "--resume")
    assert tree_digest(existing_run) == before


@pytest.mark.parametrize("cmd", ["sample", "reconstruct"])
def test_commands_on_a_missing_or_corrupt_run(capsys, cmd, tmp_path, existing_run):
    code, _, err = run_cli(capsys, cmd, str(tmp_path / "nowhere"))
    assert_one_line_error(code, err, "nowhere")
    (existing_run / "model.safetensors").write_bytes(b"\x00" * 10)
    code, _, err = run_cli(capsys, cmd, str(existing_run), "--out", str(tmp_path / "x.png"))
    assert_one_line_error(code, err, "model.safetensors")


def test_unknown_option_is_one_line(capsys):
    code, _, err = run_cli(capsys, "train", "--epoch", "3")
    assert_one_line_error(code, err, "--epoch")


def test_a_failed_nproc_launch_fails_the_command(capsys, monkeypatch, tmp_path):
    """torchrun's failure is the command's failure: no "run folder" line, torchrun's status."""
    import vaekit.training.launch as launch

    monkeypatch.setattr(launch, "launch_torchrun", lambda nproc, args: 3)
    code, out, _ = run_cli(capsys, "train", "--nproc", "2", "--out", str(tmp_path / "r"), *TINY)
    assert code == 3 and "run folder" not in out


def test_nproc_into_an_existing_run_is_refused_before_launch(capsys, monkeypatch, existing_run):
    import vaekit.training.launch as launch

    monkeypatch.setattr(launch, "launch_torchrun", lambda nproc, args: pytest.fail("launched"))
    code, _, err = run_cli(capsys, "train", "--nproc", "2", "--out", str(existing_run), *TINY)
    assert_one_line_error(code, err, "already holds a run")
