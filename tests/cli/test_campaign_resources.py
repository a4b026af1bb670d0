"""Campaign, resources: options inside their allowed ranges that need more memory than any
machine has (a hidden layer of 1e9 units, an IWAE k of 1e9, a code prior of width 4096 and
depth 64, a run whose config.json was edited to such sizes, an .npy whose header claims 36 TiB)
end in one line that gives the estimate and the machine's memory, exit 2: never a traceback or
the kernel's kill."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from campaign_support import call
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HUGE = [10**9, 3 * 10**8]
SMALL = ["--epochs", "1", "--no-progress"]
VQ = ["--set", "model.variant=vq_vae", "--set", "model.channels=[8,16]", "--set",
      "model.latent_dim=4", "--set", "model.latent_args={codebook_size: 16, code_dim: 4}", *SMALL]


@pytest.fixture(scope="module")
def vq_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("vq") / "run"
    code, err = call(["train", "--out", str(run), *VQ])
    assert code == 0, err
    return run


def _huge_npy(path: Path) -> Path:
    """A valid .npy header that claims (1e9, 1e4) float32, with 64 bytes behind it."""
    with path.open("wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "<f4", "fortran_order": False, "shape": (10**9, 10**4)})
        f.write(b"\0" * 64)
    return path


@st.composite
def _case(draw: st.DrawFn, run: Path, vq: Path, work: Path) -> list[str]:
    kind = draw(st.sampled_from(["hidden", "iwae-k", "prior", "edited-run", "npy-header"]))
    n = draw(st.sampled_from(HUGE))
    if kind == "hidden":
        return ["train", "--out", str(work / "new"), "--set", f"model.hidden=[{n}]", *SMALL]
    if kind == "iwae-k":
        return ["train", "--out", str(work / "new"), "--set", "model.hidden=[8]", "--set",
                "objective.name=iwae", "--set", f"objective.k={n}", *SMALL]
    if kind == "prior":
        return ["train-prior", str(vq), "--width", "4096", "--depth", "64", "--heads", "8"]
    if kind == "edited-run":
        raw = json.loads((run / "config.json").read_text())
        raw["config"]["model"]["arch_args"]["hidden"] = [n]
        (run / "config.json").write_text(json.dumps(raw))
        return draw(st.sampled_from([["sample", str(run), "--out", str(work / "s.png")],
                                     ["evaluate", str(run), "--k", "2"]]))
    data = str(_huge_npy(work / "huge.npy"))
    return draw(st.sampled_from([["encode", str(run), "--data", data, "--out", str(work / "e.npy")],
                                 ["train", "--data", data, "--out", str(work / "new"), *SMALL]]))


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_size_beyond_memory_is_one_line_with_the_estimate(tiny_run, vq_run, tmp_path_factory,
                                                           data):
    work = tmp_path_factory.mktemp("memory")
    run = work / "run"
    shutil.copytree(tiny_run, run)
    vq = work / "vq"
    shutil.copytree(vq_run, vq)
    argv = data.draw(_case(run, vq, work))
    code, err = call(argv)
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert code == 2 and "Traceback" not in err, (argv, code, err[-2000:])
    assert len(lines) == 1 and "GiB" in lines[0] and "available" in lines[0], (argv, err)
