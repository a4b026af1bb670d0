"""Campaign, inputs the readers do not expect: a FIFO or a device where a file is read, YAML
nested thousands of levels deep, Parquet columns of lists, structs, maps, bytes or dates, an
.npz given as a mask, devices torch cannot use here, seeds past 2**63, a damaged mlflow.json.
Each is one line and exit 2 within a time limit, never a hang or a traceback; and a 16-bit PNG is
read at its depth, never clipped to white."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from campaign_support import Hung, call, snapshot, time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DEEP = 3000
PARQUET = ["list", "struct", "map", "bytes", "date", "timestamp"]
KINDS = ["fifo", "device", "deep-yaml", "parquet", "npz-mask", "device-name", "huge-seed",
         "mlflow-json"]


def _special(path: Path, kind: str) -> Path:
    if kind == "fifo":
        os.mkfifo(path)
    else:  # a device behind an ordinary file name
        path.symlink_to("/dev/zero")
    return path


def _parquet(path: Path, kind: str) -> Path:
    import datetime

    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    n = 40
    odd = {"list": pa.array([[1, 2]] * n), "struct": pa.array([{"a": 1}] * n),
           "map": pa.array([[("k", 1)]] * n, type=pa.map_(pa.string(), pa.int64())),
           "bytes": pa.array([b"\x00\xff"] * n), "date": pa.array([datetime.date(2020, 1, 1)] * n),
           "timestamp": pa.array([datetime.datetime(2020, 1, 1)] * n)}[kind]
    pq.write_table(pa.table({"height": np.linspace(150, 190, n), "odd": odd}), path)
    return path


@st.composite
def _case(draw: st.DrawFn, kind: str, run: Path, work: Path) -> list[str]:
    """The argv of one call that hands a reader the input of ``kind``."""
    small = ["--set", "model.hidden=[8]", "--epochs", "1", "--no-progress"]
    if kind in ("fifo", "device"):
        where = draw(st.sampled_from(["validate", "--config", "train --data", "encode --data",
                                      "--mask"]))
        suffix = ".npy" if where in ("encode --data", "--mask") else \
            draw(st.sampled_from([".csv", ".npy", ".npz"])) if where == "train --data" else ".yaml"
        path = str(_special(work / f"special{suffix}", kind))
        return {"validate": ["validate", path],
                "--config": ["train", "--config", path, "--out", str(work / "new"), *small],
                "train --data": ["train", "--data", path, "--out", str(work / "new"), *small],
                "encode --data": ["encode", str(run), "--data", path, "--out", str(work / "e.npy")],
                "--mask": ["impute", str(run), "--data", str(work / "x.npy"), "--mask", path,
                           "--out", str(work / "i.npy")]}[where]
    if kind == "deep-yaml":
        nest = draw(st.sampled_from(["[" * DEEP + "]" * DEEP, "{a: " * DEEP + "1" + "}" * DEEP]))
        where = draw(st.sampled_from(["validate", "--config", "--set"]))
        if where == "--set":
            return ["train", "--set", f"model.hidden={nest}", "--out", str(work / "new"), *small]
        (work / "deep.yaml").write_text(f"model: {nest}\n")
        return ["validate", str(work / "deep.yaml")] if where == "validate" else \
            ["train", "--config", str(work / "deep.yaml"), "--out", str(work / "new"), *small]
    if kind == "parquet":
        path = _parquet(work / "odd.parquet", draw(st.sampled_from(PARQUET)))
        return ["train", "--data", str(path), "--out", str(work / "new"), *small]
    if kind == "npz-mask":
        np.savez(work / "mask.npz", m=np.zeros((3, 1, 8, 8)))
        return ["impute", str(run), "--data", str(work / "x.npy"), "--mask",
                str(work / "mask.npz"), "--out", str(work / "i.npy")]
    if kind == "device-name":
        name = draw(st.sampled_from(["mps", "xpu", "meta", "cuda:7", "vulkan"]))
        return draw(st.sampled_from([
            ["evaluate", str(run), "--k", "2", "--device", name, "--out", str(work / "e.json")],
            ["train", "--set", f"train.device={name}", "--out", str(work / "new"), *small]]))
    if kind == "huge-seed":
        key = draw(st.sampled_from(["train.seed", "data.split_seed"]))
        value = draw(st.sampled_from([2**64, 2**64 + 1, 2**70, -1]))
        return ["train", "--set", f"{key}={value}", "--out", str(work / "new"), *small]
    pytest.importorskip("mlflow")
    (run / "mlflow.json").write_text(draw(st.sampled_from(["{", "[]", '{"run_id": 3}', "\xff"])))
    return ["train", "--resume", str(run), "--track", "mlflow"]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_unexpected_inputs_are_one_line_and_never_hang(kind, tiny_run, tmp_path_factory, data):
    work = tmp_path_factory.mktemp("inputs")
    run = work / "run"
    shutil.copytree(tiny_run, run)
    np.save(work / "x.npy", np.full((3, 1, 8, 8), np.nan, np.float32))
    argv = data.draw(_case(kind, run, work))
    before = snapshot(run)
    try:
        with time_limit(30):
            code, err = call(argv)
    except Hung:
        pytest.fail(f"{argv}: hung")
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert code == 2 and "Traceback" not in err, (argv, code, err[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
    assert snapshot(run) == before, argv


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pixels=st.lists(st.integers(0, 255), min_size=16, max_size=16), n=st.integers(2, 3))
def test_a_16_bit_png_is_read_at_its_depth(tmp_path_factory, pixels, n):
    """The same picture stored with 8 and with 16 bits (v * 257) reads as the same numbers."""
    from PIL import Image

    from vaekit.data.examples import read_examples

    work = tmp_path_factory.mktemp("png16")
    a8 = np.array(pixels, np.uint8).reshape(4, 4)
    for depth, a in (("8", a8), ("16", a8.astype(np.uint16) * 257)):
        (work / depth).mkdir()
        for i in range(n):
            Image.fromarray(a).save(work / depth / f"{i}.png")
    x8, x16 = read_examples(work / "8").x, read_examples(work / "16").x
    assert x16.shape == x8.shape
    np.testing.assert_allclose(x16.float().numpy(), x8.float().numpy() / 255, atol=1e-6)
