"""The scale benchmark's TVAE measurement on a tiny table: it trains whole epochs covering the
steps asked for, and a process that fails or runs too long is a row that says how."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("ctgan")
pytest.importorskip("pyarrow")

from benchmarks.scale import measure, write_table
from benchmarks.scale_tvae import tvae_child


def test_tvae_trains_the_epochs_that_cover_the_steps_on_the_benchmark_files(tmp_path):
    folder = write_table(tmp_path / "rows-300", 300)
    out = tvae_child(str(folder), steps=2, batch=200)  # 400 rows: 2 epochs of 300
    assert out["epochs"] == 2 and out["steps"] == 4
    assert out["rows_per_s"] > 0 and out["load_s"] > 0 and out["peak_rss_mb"] > 50


def test_a_measurement_that_fails_says_how():
    assert measure([sys.executable, "-c", "print('{\"rows_per_s\": 5}')"], 60) == {"rows_per_s": 5}
    slow = measure([sys.executable, "-c", "import time; time.sleep(30)"], 0.5)
    assert slow == {"failed": "time: still running after 0.5 s"}
    oom = measure([sys.executable, "-c", "raise MemoryError('Unable to allocate 8 GiB')"], 60)
    assert oom["failed"].startswith("out of memory: MemoryError")
