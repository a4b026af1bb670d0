"""A streamed table four times larger than the memory a run may use beyond what it needs at the
start trains under that limit, and a run killed (SIGKILL) inside an epoch resumes to the same
weights as an uninterrupted one; the same table loaded whole does not fit.

The limit is on the child's address space (RLIMIT_AS): the peak of a run on the same files that
stops after its first step (``train.max_minutes``), plus ``HEADROOM``. One malloc arena and
Arrow's system allocator keep the address space a function of the memory in use.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
from safetensors.torch import load_file  # noqa: E402

if not Path("/proc/self/status").exists():
    pytest.skip("the address-space peak is read from /proc (Linux)", allow_module_level=True)

MB = 2**20
HEADROOM = 16 * MB
ROWS, COLUMNS, GROUP = 2**20, 8, 2**14  # int64 cells: 64 MiB in memory, 4 x HEADROOM
BATCH, EPOCHS, EVERY = 8192, 3, 50  # 121 steps an epoch; a checkpoint every 50 steps

# Trains (or resumes) the config argv[1] into argv[2], then prints the process's peak address
# space in bytes.
DRIVER = """
import json, sys
import vaekit
vaekit.train(json.loads(sys.argv[1]), out=sys.argv[2], resume=sys.argv[3] == "1")
peak = next(l for l in open("/proc/self/status") if l.startswith("VmPeak"))
print("peak", int(peak.split()[1]) * 1024, flush=True)
"""
ENV = {"MALLOC_ARENA_MAX": "1", "ARROW_DEFAULT_MEMORY_POOL": "system", "OMP_NUM_THREADS": "1",
       "MKL_NUM_THREADS": "1"}


def _write(folder: Path) -> int:
    """Correlated 0/1 columns (one latent cause) in two files of ``GROUP``-row row groups;
    returns the bytes the table takes in memory as Arrow holds it."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    size = 0
    for part in range(2):
        n = ROWS // 2
        z = rng.standard_normal(n)
        table = pa.table({f"c{j}": (z + rng.standard_normal(n) > (j - 4) / 4).astype(np.int64)
                          for j in range(COLUMNS)})
        size += table.nbytes
        pq.write_table(table, folder / f"part-{part}.parquet", row_group_size=GROUP)
    return size


def _config(data: Path, **train: object) -> dict:
    return {"data": {"name": "shards", "path": str(data),
                     "args": {"buffer_rows": GROUP, "sample_rows": 4096, "heldout_rows": 2048}},
            "model": {"hidden": [16], "latent_dim": 2},
            "train": {"epochs": EPOCHS, "batch_size": BATCH, "eval_batch_size": 2048,
                      "checkpoint_steps": EVERY, "seed": 5, **train}}


def _start(config: dict, out: Path, limit: int | None, resume: bool = False) -> subprocess.Popen:
    def cap() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.Popen([sys.executable, "-c", DRIVER, json.dumps(config), str(out),
                             "1" if resume else "0"], env={**os.environ, **ENV},
                            preexec_fn=cap, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _peak(proc: subprocess.Popen) -> int:
    out, err = proc.communicate()
    assert proc.returncode == 0, err.decode()[-2000:]
    return int(out.decode().split("peak")[-1])


def _latest(run: Path) -> str:
    try:
        return (run / "checkpoints" / "latest").read_text().strip()
    except FileNotFoundError:
        return ""


def test_a_table_four_times_the_memory_limit_streams_and_resumes_mid_epoch_exactly(tmp_path):
    data = tmp_path / "table"
    assert _write(data) >= 4 * HEADROOM
    full = _start(_config(data), tmp_path / "full", None)  # the reference: no limit needed
    # What a run on these files needs at the start: its peak when it stops after one step.
    limit = _peak(_start(_config(data, max_minutes=1e-6), tmp_path / "first", None)) + HEADROOM

    whole = _start(_config(data, epochs=1, checkpoint_steps=None) | {
        "data": {**_config(data)["data"], "args": {**_config(data)["data"]["args"],
                                                    "buffer_rows": 2 * ROWS}}},
        tmp_path / "whole", limit)
    cut = _start(_config(data), tmp_path / "cut", limit)
    deadline = time.time() + 300
    while not _latest(tmp_path / "cut").startswith("epoch-0001-step-") and cut.poll() is None \
            and time.time() < deadline:
        time.sleep(0.01)
    assert cut.poll() is None, "the run ended before it could be killed inside epoch 2"
    os.kill(cut.pid, signal.SIGKILL)
    cut.communicate()
    killed_at = _latest(tmp_path / "cut")
    assert killed_at.startswith("epoch-0001-step-")

    _, err = whole.communicate()  # the same split held in memory: more than the limit allows
    assert whole.returncode != 0 and "memory" in err.decode().lower(), err.decode()[-2000:]
    _peak(full)
    assert _peak(_start(_config(data), tmp_path / "cut", limit, resume=True)) <= limit

    a = load_file(tmp_path / "full" / "model.safetensors")
    b = load_file(tmp_path / "cut" / "model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    rows = [(tmp_path / r / "metrics.csv").read_text().splitlines() for r in ("full", "cut")]
    header = rows[0][0].split(",")
    keep = [i for i, name in enumerate(header) if name != "seconds"]
    same = [[[line.split(",")[i] for i in keep] for line in r] for r in rows]
    assert len(same[0]) == EPOCHS + 1 and same[0] == same[1], killed_at
