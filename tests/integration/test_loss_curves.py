"""Pinned loss curves: the shipped presets trained from their seed give the same curves, epoch by
epoch, as when the values in tests/data/loss_curves.json were recorded: configs/digits_mlp.yaml
as shipped, and each variant's preset on the digits (its architecture shrunk, 3 epochs). A
change to a model, an objective, the data order or the optimizer that moves any epoch shows here
with the epoch it moved, not as a looser inequality that still holds. The tolerance covers float
rounding across CPUs (oneDNN picks kernels by instruction set), not a change in what is computed.

After a deliberate change, record the curves again (and say why in the commit):
``PYTHONPATH=src python tests/integration/test_loss_curves.py``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
import torch

import vaekit
from vaekit import registry

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "tests" / "data" / "loss_curves.json"
TOLERANCE = 0.05  # nats per example, at every epoch
COLUMNS = ("train_loss", "val_loss", "val_kl")


def _config(key: str) -> str | dict:
    """What ``key`` trains: a shipped config file, or ``variant=<name>``'s preset on the digits."""
    if not key.startswith("variant="):
        return str(ROOT / key)
    if str(ROOT / "tests") not in sys.path:  # run as a script to record the curves
        sys.path.insert(0, str(ROOT / "tests"))
    from contract_support import small

    raw = small({"data": {"name": "digits"}, "model": {"variant": key.split("=", 1)[1]}})
    return {**raw, "train": {"epochs": 3, "batch_size": 128, "seed": 0}}


def curves(key: str, out: Path) -> dict[str, list[float | None]]:
    """The per-epoch columns of a run of ``key`` written to ``out`` (None: a term the objective
    does not have, such as an autoencoder's KL)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # posterior-collapse warnings of short runs
        run = vaekit.train(_config(key), out)
    return {c: [round(float(row[c]), 4) if row[c] else None for row in run.metrics]
            for c in COLUMNS}


def keys() -> list[str]:
    return ["configs/digits_mlp.yaml", *(f"variant={v}" for v in registry.names("variant"))]


@pytest.mark.parametrize("key", keys())
def test_a_preset_trains_along_its_pinned_curve(key, tmp_path, one_thread):
    pinned = json.loads(FILE.read_text())
    assert key in pinned, f"no pinned curve for {key}: record them (see the module docstring)"
    got = curves(key, tmp_path / "run")
    for column in COLUMNS:
        want = pinned[key][column]
        assert len(got[column]) == len(want), column
        off = [(epoch, g, p) for epoch, (g, p) in enumerate(zip(got[column], want, strict=True), 1)
               if (g is None) != (p is None) or (g is not None and abs(g - p) > TOLERANCE)]
        assert not off, f"{key} {column}: (epoch, now, pinned) {off[:5]}"


if __name__ == "__main__":
    torch.set_num_threads(1)
    record = {"made_with": {"torch": torch.__version__, "threads": 1,
                            "command": "PYTHONPATH=src python tests/integration/test_loss_curves.py"}}
    for key in keys():
        record[key] = curves(key, Path(tempfile.mkdtemp()) / "run")
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in record.items()]
    FILE.write_text("{\n" + ",\n".join(lines) + "\n}\n")
