"""Campaign, several processes: an error inside the ranks of ``train --nproc N`` is printed
once, as one line, exit 2, without torchrun's own report of the failed processes."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from campaign_support import people
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaekit.training.launch import filter_stderr

# What torchrun and three ranks wrote when every rank met the same bad cell (vaekit 0.1).
RECORDED = """\
error: data.csv, column 'height', data row 6: 1e+200 is beyond +-1e+15
error: data.csv, column 'height', data row 6: 1e+200 is beyond +-1e+15
W1207 20:59:37.072000 1901 torch/.../multiprocessing/api.py:1028] Sending process 1906 closing signal
error: data.csv, column 'height', data row 6: 1e+200 is beyond +-1e+15
E1207 20:59:37.139000 1901 torch/.../multiprocessing/api.py:1002] failed (exitcode: 2) local_rank: 0
Traceback (most recent call last):
  File "torch/distributed/run.py", line 936, in main
torch.distributed.elastic.multiprocessing.errors.ChildFailedError:
============================================================
  rank      : 0 (local_rank: 0)
"""


def test_the_ranks_error_is_kept_once_and_torchruns_report_dropped():
    out = io.StringIO()
    first = filter_stderr(io.StringIO("warning: a warning of rank 0\n" + RECORDED), out)
    assert first == out.getvalue().splitlines(keepends=True)[1]
    assert out.getvalue().splitlines() == ["warning: a warning of rank 0", first.rstrip("\n")]


def test_a_rank_that_fails_with_a_traceback_of_its_own_is_shown():
    bug = "Traceback (most recent call last):\n  File \"x.py\"\nZeroDivisionError: division\n"
    out = io.StringIO()
    assert filter_stderr(io.StringIO(bug), out) is None and out.getvalue() == bug


@settings(max_examples=1, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=st.sampled_from(["1e200", "-1e308", "1e16"]), row=st.integers(0, 119))
def test_an_error_in_every_rank_is_one_line(tmp_path_factory, value, row):
    work = tmp_path_factory.mktemp("ranks")
    data = people(work / "data.csv", cell=(row, "height", value))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "vaekit", "train", "--nproc", "2", "--data", str(data), "--out",
         str(work / "run"), "--set", "model.likelihood=columns", "--epochs", "1",
         "--no-progress"], capture_output=True, text=True, env=env, timeout=300)
    lines = [ln for ln in done.stderr.splitlines() if ln.strip() and not ln.startswith("warning:")]
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "height" in lines[0], lines
