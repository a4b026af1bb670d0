"""Campaign, numbers: one extreme or non-finite value in a table cell (1e200, 1e308, inf, nan) or
in a run's stored column scales never ends in a traceback, and no command that exits 0 writes or
prints a NaN or an infinity."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from campaign_support import TINY_TABLE, call, people
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Extreme and non-finite values: in a cell of a table, or in the run's stored column scales.
EXTREME = ["1e200", "1e308", "-1e308", "1e30", "1e16", "1e14", "inf", "nan", "-1e-320"]
@pytest.fixture(scope="module")
def table_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("extreme")
    code, err = call(["train", "--data", str(people(root / "people.csv")), "--out",
                       str(root / "run"), *TINY_TABLE])
    assert code == 0, err
    return root / "run"


def _numbers_in(path: Path) -> list[float]:
    import numpy as np
    import pandas as pd

    if path.suffix == ".npz":
        with np.load(path) as z:
            return [float(v) for k in z.files if z[k].dtype.kind == "f" for v in z[k].ravel()]
    frame = pd.read_csv(path)
    return [float(v) for c in frame.select_dtypes("number") for v in frame[c]]


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=st.sampled_from(["encode", "score", "impute", "train", "rows"]),
       value=st.sampled_from(EXTREME), column=st.sampled_from(["height", "age"]),
       row=st.integers(0, 119))
def test_no_command_writes_or_prints_a_non_finite_number(table_run, tmp_path_factory, command,
                                                         value, column, row):
    import math

    work = tmp_path_factory.mktemp("extreme-case")
    data = people(work / "data.csv", cell=(row, column, value))
    run = work / "run"
    shutil.copytree(table_run, run)
    out = work / ("out.npz" if command == "encode" else "out.csv")
    if command == "train":
        argv = ["train", "--data", str(data), "--out", str(work / "new"), *TINY_TABLE]
    elif command == "rows":  # the run's stored scale of a column: as large as a float goes
        raw = json.loads((run / "config.json").read_text())
        spec = next(c for c in raw["data"]["codec"]["columns"] if c["name"] == column)
        spec["stds"] = [float(value)] * len(spec["stds"])
        (run / "config.json").write_text(json.dumps(raw))
        argv = ["rows", str(run), "-n", "20", "--out", str(out)]
    else:
        argv = [command, str(run), "--data", str(data), "--out", str(out)] + \
            (["--k", "2"] if command == "score" else [])
    stdout = io.StringIO()
    code, err = call(argv, stdout)
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert code in (0, 2) and "Traceback" not in err, (argv, code, err[-2000:])
    if code == 2:
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
    else:
        assert not any(w in stdout.getvalue().split() for w in ("nan", "inf", "-inf")), argv
        if out.exists():
            assert all(math.isfinite(v) for v in _numbers_in(out)), argv
