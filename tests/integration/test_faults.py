"""Kills inside the writes of a run: each write is cut after its temporary file is complete and
before it is renamed into place (the one moment a half-made file could exist), then the run is
recovered the way the CLI says and must end with the weights of an uninterrupted run, bit for
bit, with nothing half-written left in the folder."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

import vaekit
from vaekit.errors import RunError

CONFIG = {"model": {"hidden": [16], "latent_dim": 2}, "train": {"epochs": 3, "seed": 1,
                                                               "batch_size": 256}}
# The training recipe's state too: AdamW, a warm-up across epochs into a cosine, skipping, and
# the moving average of the weights (in the checkpoint; model_raw.safetensors beside).
RECIPE = {**CONFIG, "train": {**CONFIG["train"], "optimizer": "adamw", "weight_decay": 0.01,
                              "warmup_steps": 8, "lr_schedule": "cosine", "ema": 0.9,
                              "skip_grad_norm": 100.0}}
CONFIGS = {"default": CONFIG, "recipe": RECIPE}
# Trains with os.replace counted: the N-th rename (the commit of a write) kills the process.
KILLER = """
import json, os, signal, sys
import torch
torch.set_num_threads(1)
n, real, seen = int(sys.argv[1]), os.replace, [0]
def replace(src, dst, *a, **k):
    seen[0] += 1
    if seen[0] == n:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst, *a, **k)
os.replace = replace
import vaekit
vaekit.train(json.loads(sys.argv[2]), sys.argv[3])
"""
# The renames of a new run, in order: config.json, model.safetensors, checkpoint epoch-0000,
# latest; then per epoch metrics.csv, config.json, model.safetensors, the checkpoint, latest.
# (config.json is written like model.safetensors, by the same atomic write, just before it.)
CUTS = {2: "the first weights (before any checkpoint)", 5: "metrics.csv of epoch 1",
        7: "model.safetensors of epoch 1", 8: "the checkpoint folder of epoch 1",
        9: "checkpoints/latest of epoch 1"}
# With the recipe, model_raw.safetensors is written before model.safetensors: rename 15 is
# model.safetensors of epoch 2, the raw weights of epoch 2 already in place.
CASES = [("default", cut, CUTS[cut]) for cut in sorted(CUTS)] + [
    ("recipe", 15, "model.safetensors of epoch 2 with the recipe")]


def _rows(run: Path) -> list[dict[str, str]]:
    with open(run / "metrics.csv") as f:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, Path]:
    """Each config's uninterrupted run, trained when a test first asks for it."""
    import torch

    runs: dict[str, Path] = {}

    def reference(name: str) -> Path:
        if name not in runs:
            run, before = tmp_path_factory.mktemp("faults") / name, torch.get_num_threads()
            torch.set_num_threads(1)  # as the killed process: the same arithmetic, bit for bit
            try:
                vaekit.train(CONFIGS[name], run)
            finally:
                torch.set_num_threads(before)
            runs[name] = run
        return runs[name]

    return reference


@pytest.mark.parametrize("name, cut", [c[:2] for c in CASES], ids=[c[2] for c in CASES])
def test_a_kill_inside_a_write_then_recovery_ends_bitwise_equal(references, tmp_path, name, cut,
                                                                one_thread):
    config, reference, run = CONFIGS[name], references(name), tmp_path / "run"
    killed = subprocess.run([sys.executable, "-c", KILLER, str(cut), json.dumps(config),
                             str(run)], capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    try:
        vaekit.train(config, run, resume=True)
    except RunError:  # killed before the first checkpoint: the folder is replaceable
        assert not (run / "checkpoints" / "latest").exists()
        vaekit.train(config, run)
    weights = sorted(p.name for p in reference.glob("model*.safetensors"))
    assert weights == (["model.safetensors", "model_raw.safetensors"] if name == "recipe" else
                       ["model.safetensors"])
    assert all((run / w).read_bytes() == (reference / w).read_bytes() for w in weights)
    assert _rows(run) == _rows(reference)
    leftovers = [p.name for p in run.rglob("*") if p.name.endswith(".tmp") or
                 p.name.startswith(".tmp-")]
    assert leftovers == []
