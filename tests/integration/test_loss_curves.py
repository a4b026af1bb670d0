"""Pinned loss curves: a shipped preset trained from its seed gives the same curve, epoch by
epoch, as when the values in tests/data/loss_curves.json were recorded. A change to the model,
the objective, the data order or the optimizer that moves any epoch shows here with the epoch
it moved, not as a looser inequality that still holds. The tolerance covers float rounding
across CPUs (oneDNN picks kernels by instruction set), not a change in what is computed."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import vaekit

ROOT = Path(__file__).resolve().parents[2]
CURVES = json.loads((ROOT / "tests" / "data" / "loss_curves.json").read_text())
TOLERANCE = 0.05  # nats per example, at every epoch


@pytest.mark.parametrize("config", sorted(CURVES))
def test_a_preset_trains_along_its_pinned_curve(config, tmp_path, one_thread):
    pinned = CURVES[config]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = vaekit.train(str(ROOT / config), tmp_path / "run")
    assert len(run.metrics) == len(pinned["test_loss"])
    for column in ("train_loss", "test_loss", "test_kl"):
        got = [float(row[column]) for row in run.metrics]
        off = [(epoch, g, p) for epoch, (g, p) in enumerate(zip(got, pinned[column], strict=True), 1)
               if abs(g - p) > TOLERANCE]
        assert not off, f"{config} {column}: (epoch, now, pinned) {off[:5]}"
