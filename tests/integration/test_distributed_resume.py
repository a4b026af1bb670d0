"""Two ranks under torchrun killed (SIGKILL, the whole process group) inside an epoch resume,
under torchrun again, to the weights and curve of two ranks never interrupted."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

pytestmark = pytest.mark.integration

# argv: run folder, "1" to resume. A checkpoint every 20 of an epoch's 41 steps (1,294 training
# digits in global batches of 32); each rank draws its own noise.
SCRIPT = """
import sys
import vaekit
vaekit.train({"model": {"hidden": [32], "latent_dim": 4},
              "train": {"epochs": 2, "batch_size": 32, "lr": 3e-3, "seed": 7,
                        "checkpoint_steps": 20}},
             out=sys.argv[1], resume=sys.argv[2] == "1")
"""


def _torchrun(script: Path, run: Path, resume: bool) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(script), str(run), "1" if resume else "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"})


def _latest(run: Path) -> str:
    try:
        return (run / "checkpoints" / "latest").read_text().strip()
    except FileNotFoundError:
        return ""


def _curve(run: Path) -> list[dict[str, str]]:
    with open(run / "metrics.csv") as f:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(f)]


def test_ranks_killed_inside_an_epoch_resume_to_the_uninterrupted_weights(tmp_path: Path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    uninterrupted = _torchrun(script, whole, False)
    proc = _torchrun(script, cut, False)
    deadline = time.time() + 300
    while not _latest(cut).startswith("epoch-0001-step-") and proc.poll() is None \
            and time.time() < deadline:
        time.sleep(0.005)
    assert proc.poll() is None, "the run ended before it could be killed inside epoch 2"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = _latest(cut)
    assert killed_at.startswith("epoch-0001-step-")

    assert uninterrupted.wait(timeout=300) == 0, uninterrupted.stderr.read()[-3000:]
    resumed = _torchrun(script, cut, True)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()[-3000:]
    a, b = load_file(whole / "model.safetensors"), load_file(cut / "model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), killed_at
    assert _curve(whole) == _curve(cut) and len(_curve(cut)) == 2
