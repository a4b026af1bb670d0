"""Resume after a real SIGKILL ends with the same weights as an uninterrupted run."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import load_file

ARGS = ["--epochs", "12", "--seed", "3", "--no-progress", "--set", "model.hidden=[32]",
        "--set", "model.latent_dim=4", "--set", "train.batch_size=24",
        "--set", "data.binarize=dynamic", "--set", "objective.kl_warmup_steps=300"]


def _vaekit(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vaekit", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, **kw)


def _latest(run: Path) -> int:
    try:
        return int((run / "checkpoints" / "latest").read_text().strip().split("-")[1])
    except (FileNotFoundError, IndexError, ValueError):
        return -1


def test_sigkill_then_resume_matches_uninterrupted(tmp_path):
    full, cut = tmp_path / "full", tmp_path / "cut"
    # The uninterrupted run trains beside the one to be killed: each is deterministic alone.
    uninterrupted = _vaekit("train", "--out", str(full), *ARGS)
    proc = _vaekit("train", "--out", str(cut), *ARGS)
    deadline = time.time() + 120
    while _latest(cut) < 3 and time.time() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _latest(cut) < 12

    assert uninterrupted.wait() == 0, uninterrupted.stderr.read().decode()
    resumed = _vaekit("train", "--resume", str(cut))
    assert resumed.wait() == 0, resumed.stderr.read().decode()

    a, b = load_file(full / "model.safetensors"), load_file(cut / "model.safetensors")
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    with open(full / "metrics.csv") as f1, open(cut / "metrics.csv") as f2:
        r1, r2 = list(csv.DictReader(f1)), list(csv.DictReader(f2))
    assert [r["epoch"] for r in r2] == [str(e) for e in range(1, 13)]  # no duplicated rows
    drop = ("seconds",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in r1] == \
           [{k: v for k, v in r.items() if k not in drop} for r in r2]
