"""vaekit.train(..., data=...) takes an array, a tensor or a DataFrame; the run opens again from
its config alone, because the data are stored in the cache under their content's hash."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vaekit
from vaekit.artifacts.run_context import RunContext
from vaekit.errors import DataError

SMALL = {"model": {"hidden": [16], "latent_dim": 2}, "train": {"epochs": 1}}


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VAEKIT_CACHE", str(tmp_path / "cache"))


def test_an_array_and_the_same_tensor_are_one_stored_file_and_the_run_reopens(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, size=(80, 6, 6), dtype=np.uint8)
    run = vaekit.train(SMALL, tmp_path / "a", data=x)
    again = vaekit.train(SMALL, tmp_path / "b", data=torch.from_numpy(x))
    path = run.config.data.path
    assert path == again.config.data.path and path.startswith(str(tmp_path / "cache"))
    assert np.array_equal(np.load(path), x)
    ds = RunContext.open(run.path).dataset  # no process memory: the stored file
    assert ds.shape == (1, 6, 6) and len(ds.train) + len(ds.val) + len(ds.test) == 80
    assert np.isfinite(vaekit.evaluate(run.path, k=2).nll)


def test_a_dataframe_trains_a_table_run(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"age": rng.integers(20, 70, 120), "city": rng.choice(["a", "b"], 120)})
    run = vaekit.train({**SMALL, "data": {"test_fraction": 0.25}}, tmp_path / "t", data=frame)
    assert run.config.data.name == "table" and run.config.data.test_fraction == 0.25
    rows = vaekit.rows(run.path, 5)
    assert list(rows.columns) == ["age", "city"] and len(rows) == 5


def test_data_of_another_type_is_one_clear_error(tmp_path):
    with pytest.raises(DataError, match="a numpy array, a torch tensor or a pandas DataFrame"):
        vaekit.train(SMALL, tmp_path / "r", data=[[1, 2], [3, 4]])
