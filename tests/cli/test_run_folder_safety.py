"""A run folder is never half-made, never shared, never pointed outside itself, and a user's own
files are never touched: each refusal is one line and exit status 2."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import TINY, assert_one_line_error
from cli_support import run_cli as _cli

from vaekit.errors import RunError
from vaekit.store import checkpoint
from vaekit.store.run_dir import RunLock


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_train_refuses_a_folder_of_the_users_own_files(capsys, tmp_path):
    mine = tmp_path / "photos"
    mine.mkdir()
    (mine / "holiday.jpg").write_bytes(b"not a run")
    (mine / "notes.txt").write_text("keep me")
    before = _snapshot(mine)
    code, _, err = _cli(capsys, "train", "--out", str(mine), *TINY)
    assert_one_line_error(code, err, str(mine), "not empty and not a vaekit run", "holiday.jpg")
    assert _snapshot(mine) == before and sorted(p.name for p in mine.iterdir()) == [
        "holiday.jpg", "notes.txt"]


@pytest.mark.parametrize(("overrides", "needle"), [
    (["train.precision=fp16"], "fp16 needs a GPU"),
    (["model.variant=cvae", "model.num_classes=5"], "outside 0..4"),
])
def test_an_option_refused_at_start_leaves_no_folder(capsys, tmp_path, overrides, needle):
    out = tmp_path / "run"
    sets = [a for o in overrides for a in ("--set", o)]
    code, _, err = _cli(capsys, "train", "--out", str(out), *TINY, *sets)
    assert_one_line_error(code, err, needle)
    assert not out.exists()


def test_a_run_killed_before_its_first_checkpoint_is_replaced(capsys, tmp_path):
    out = tmp_path / "run"
    code, _, err = _cli(capsys, "train", "--out", str(out), *TINY)
    assert code == 0, err
    # What a kill between config.json and the first checkpoint leaves behind.
    shutil.rmtree(out / "checkpoints")
    (out / "metrics.csv").unlink()
    (out / "report.html").unlink()
    code, _, err = _cli(capsys, "train", "--out", str(out), *TINY)
    assert code == 0, err
    assert (out / "checkpoints" / "latest").exists() and (out / "metrics.csv").exists()


def test_a_second_trainer_on_the_same_folder_is_refused(capsys, tmp_path):
    out = tmp_path / "run"
    code, _, err = _cli(capsys, "train", "--out", str(out), *TINY)
    assert code == 0, err
    before = _snapshot(out)
    # Another process holds the folder (an OS lock, released however that process ends).
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom vaekit.store.run_dir import RunLock\n"
        f"with RunLock({str(out)!r}):\n    print('held', flush=True)\n    time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, _, err = _cli(capsys, "train", "--resume", str(out), "--epochs", "2")
        assert_one_line_error(code, err, "being trained by another process")
        assert _snapshot(out) == before
    finally:
        holder.kill()
        holder.wait()
    with RunLock(out) as lock:  # free again once the holder is gone
        assert lock.fd is not None


def test_resume_clears_what_a_killed_write_left(capsys, tmp_path):
    out = tmp_path / "run"
    assert _cli(capsys, "train", "--out", str(out), *TINY)[0] == 0
    leftovers = [out / ".model.safetensors.x1y2.tmp", out / "checkpoints" / ".latest.ab.tmp"]
    for p in leftovers:
        p.write_bytes(b"half")
    (out / "checkpoints" / ".tmp-epoch-0002-zz").mkdir()
    code, _, err = _cli(capsys, "train", "--resume", str(out), "--epochs", "2")
    assert code == 0, err
    assert not any(p.name.endswith(".tmp") or p.name.startswith(".tmp-") for p in out.rglob("*"))


def test_latest_can_only_name_a_checkpoint_of_its_run(capsys, tmp_path):
    out = tmp_path / "run"
    assert _cli(capsys, "train", "--out", str(out), *TINY)[0] == 0
    (out / "checkpoints" / "latest").write_text("../../../etc\n")
    code, _, err = _cli(capsys, "train", "--resume", str(out), "--epochs", "2")
    assert_one_line_error(code, err, "not a checkpoint of this run")


def test_a_full_disk_during_a_checkpoint_keeps_the_last_good_one(tmp_path, monkeypatch):
    root = tmp_path / "run"
    checkpoint.save_checkpoint(root, 1, {"epoch": 1})

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint.torch, "save", full)
    with pytest.raises(RunError, match="No space left on device.*last good checkpoint is kept"):
        checkpoint.save_checkpoint(root, 2, {"epoch": 2})
    assert checkpoint.load_checkpoint(root)["epoch"] == 1
    assert sorted(p.name for p in (root / "checkpoints").iterdir()) == ["epoch-0001", "latest"]


def test_an_os_error_on_an_output_path_is_one_line(capsys, tiny_run, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = _cli(capsys, "sample", str(tiny_run), "--out", str(blocker / "s.png"))
    assert_one_line_error(code, err, str(blocker))


def test_run_files_get_the_users_umask(capsys, tmp_path):
    out = tmp_path / "run"
    old = os.umask(0o022)
    try:
        assert _cli(capsys, "train", "--out", str(out), *TINY)[0] == 0
    finally:
        os.umask(old)
    for p in out.rglob("*"):
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o755 if p.is_dir() else 0o644), (p, oct(mode))


def test_ctrl_c_says_how_to_continue(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "vaekit", "train", "--out", str(out),
                             "--epochs", "400", "--no-progress", "--set", "model.hidden=[16]"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            # as from a terminal: a suite started in the background (nohup, &)
                            # hands its children SIGINT ignored, and Ctrl+C would never arrive
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not (out / "metrics.csv").exists() and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"vaekit train --resume {out}" in err and "Traceback" not in err


def test_a_run_works_from_any_folder(capsys, tmp_path, monkeypatch):
    import numpy as np

    pytest.importorskip("pandas")

    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    rng = np.random.default_rng(0)
    table = rng.normal(size=(200, 3)) * [1.0, 10.0, 100.0]
    np.savetxt(home / "table.csv", table, delimiter=",", header="a,b,c", comments="")
    monkeypatch.chdir(home)
    code, _, err = _cli(capsys, "train", "--data", "table.csv", "--out", "run", *TINY,
                        "--set", "model.likelihood=columns")
    assert code == 0, err
    monkeypatch.chdir(elsewhere)
    run = str(home / "run")
    code, out, err = _cli(capsys, "column-errors", run, "--out", "errors.png")
    assert code == 0, err
    assert (elsewhere / "errors.png").exists() and "RMSE" in out
    (home / "table.csv").unlink()  # generating rows needs no data at all
    code, _, err = _cli(capsys, "rows", run, "-n", "5", "--out", "rows.csv")
    assert code == 0, err
    assert (elsewhere / "rows.csv").read_text().splitlines()[0] == "a,b,c"


@pytest.fixture
def small_fs(tmp_path):
    """A 4 MB tmpfs of its own (root only: skipped where mounting is not allowed)."""
    root = tmp_path / "fs"
    root.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(root)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def test_a_file_system_that_fills_during_a_save_keeps_the_run(capsys, small_fs):
    run = small_fs / "run"
    assert _cli(capsys, "train", "--out", str(run), *TINY)[0] == 0
    weights = (run / "model.safetensors").read_bytes()
    filler = small_fs / "filler"
    with open(filler, "wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:  # fill the disk until a write fails, then give back a few kilobytes
            f.write(b"\0" * 4096)
    os.truncate(filler, max(0, filler.stat().st_size - 8192))
    code, _, err = _cli(capsys, "train", "--resume", str(run), "--epochs", "3")
    assert_one_line_error(code, err, "No space left on device")
    assert checkpoint.load_checkpoint(run)["epoch"] == 1
    assert (run / "model.safetensors").read_bytes() == weights
    filler.unlink()  # space again: the run goes on from its last good checkpoint
    code, _, err = _cli(capsys, "train", "--resume", str(run), "--epochs", "3")
    assert code == 0, err
    assert checkpoint.load_checkpoint(run)["epoch"] == 3
