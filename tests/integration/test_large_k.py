"""benchmarks.large_k: shards of the test set that add up to the bound of the whole, whichever way
the images were split, and a rerun that only computes the shards still missing."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import torch

import vaekit
from benchmarks import large_k
from vaekit.eval.data import prepare


def test_the_bounds_do_not_depend_on_the_sharding(tiny_run, one_thread):
    model = vaekit.load(tiny_run).eval()
    x = prepare(model, None, "test").x[:6]
    whole = large_k.shard_terms(model, x, 0, k=5, seed=3, batch=2)
    parts = [large_k.shard_terms(model, x[a:b], a, k=5, seed=3, batch=2)
             for a, b in [(0, 2), (2, 6)]]
    assert whole["nll"] == parts[0]["nll"] + parts[1]["nll"]
    assert whole["elbo"] == parts[0]["elbo"] + parts[1]["elbo"]
    other = large_k.shard_terms(model, x, 0, k=5, seed=4, batch=2)
    assert other["nll"] != whole["nll"]  # the seed is in the draws
    # -IW_k <= -ELBO of the same draws, image by image
    assert all(n <= -e + 1e-9 for n, e in zip(whole["nll"], whole["elbo"], strict=True))


def test_a_rerun_computes_only_the_missing_shards(tiny_run, tmp_path, monkeypatch):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    n = len(prepare(vaekit.load(run), None, "test").x)
    shard = 20
    argv = ["large_k", str(run), "--k", "3", "--shard", str(shard), "--batch", "10",
            "--threads", "1"]
    monkeypatch.setattr(sys, "argv", argv)
    large_k.main()

    folder = large_k.shard_folder(run, 3, 0)
    files = sorted(folder.glob("*.json"))
    assert len(files) == -(-n // shard)
    result = json.loads((run / "iw-k3-seed0.json").read_text())
    nll = torch.tensor([v for f in files for v in json.loads(f.read_text())["nll"]],
                       dtype=torch.float64)
    assert result["n"] == n and result["nll"] == float(nll.mean())

    kept = {f.name: f.stat().st_mtime_ns for f in files[1:]}
    files[0].unlink()
    (run / "iw-k3-seed0.json").unlink()
    large_k.main()
    assert {f.name: f.stat().st_mtime_ns for f in sorted(folder.glob("*.json"))[1:]} == kept
    assert json.loads((run / "iw-k3-seed0.json").read_text()) | {"cpu_seconds": 0} == \
        result | {"cpu_seconds": 0}


def test_the_paired_difference_fills_the_images_not_yet_scored():
    ours = {0: {"first": 0, "nll": [1.0, 2.0]}}
    theirs = {0: {"first": 0, "nll": [1.5, 2.25]}, 2: {"first": 2, "nll": [3.0, 4.0]}}
    p = large_k.paired(ours, theirs)
    assert p["n"] == 2
    assert p["diff"] == -0.375
    assert p["diff_se"] == pytest.approx(0.125)  # sample sd 0.25 / sqrt(2), over sqrt(2)
    # measured on images 0 and 1, theirs moved by the mean difference on 2 and 3
    assert p["projected"] == pytest.approx((1.0 + 2.0 + 2.625 + 3.625) / 4)


_ORPHAN = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from benchmarks.large_k import exit_with_parent

def work(path):
    open(path, "w").write(str(os.getpid()))
    time.sleep(120)

if __name__ == "__main__":
    pool = ProcessPoolExecutor(1, get_context("spawn"), initializer=exit_with_parent)
    pool.submit(work, sys.argv[1])
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_exits_when_its_parent_is_killed(tmp_path):
    import signal
    import subprocess
    import time

    script, pid_file = tmp_path / "orphan.py", tmp_path / "worker.pid"
    script.write_text(_ORPHAN)
    root = Path(__file__).resolve().parents[2]
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    parent = subprocess.Popen([sys.executable, str(script), str(pid_file)], cwd=root,
                              env={**os.environ, "PYTHONPATH": path})
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.1)
        worker = int(pid_file.read_text())
        assert _alive(worker)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 20
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphaned = _alive(worker)
    if orphaned:
        os.kill(worker, signal.SIGKILL)
    assert not orphaned
