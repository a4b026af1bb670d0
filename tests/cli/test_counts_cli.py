"""Count data through the commands: train reads an integer matrix as counts, evaluate reports
nats per example (no bits/dim), rows are drawn as counts; a file with a value that is not a
count is one line and exit 2 naming the file, the row and the column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_support import TINY, assert_one_line_error, run_cli

CONFIG = Path(__file__).parents[2] / "configs" / "counts.yaml"


def _counts(n: int = 200, d: int = 6) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.negative_binomial(4, 4 / (4 + rng.uniform(2, 30, (n, d))))


@pytest.fixture(scope="module")
def counts_run(tmp_path_factory) -> tuple[Path, Path, str]:
    from vaekit.cli.main import main

    root = tmp_path_factory.mktemp("counts")
    np.save(root / "c.npy", _counts())
    main(["train", "--config", str(CONFIG), "--data", str(root / "c.npy"), "--out",
          str(root / "run"), *TINY])
    return root / "run", root, json.loads((root / "run" / "config.json").read_text())


def test_train_reads_an_integer_matrix_as_counts_with_the_negative_binomial(counts_run):
    _, _, config = counts_run
    assert config["data"]["kind"] == "counts"
    model = config["config"]["model"]
    assert model["likelihood"] == "negative_binomial"
    assert {"library_log_mean", "library_log_std", "dispersion"} <= set(model["likelihood_args"])


def test_evaluate_reports_nats_per_example_and_no_bits_per_dim(capsys, counts_run):
    run, _, _ = counts_run
    code, out, err = run_cli(capsys, "evaluate", str(run), "--k", "10")
    assert code == 0, err
    assert "nats per example of the counts given their library size" in out
    result = json.loads((run / "eval.json").read_text())
    assert result["bits_per_dim"] is None and np.isfinite(result["nll"]) and result["nll"] > 0


def test_stochastic_rows_are_counts(capsys, counts_run, tmp_path):
    pd = pytest.importorskip("pandas")
    run, _, _ = counts_run
    code, _, err = run_cli(capsys, "rows", str(run), "-n", "50", "--stochastic", "--out",
                           str(tmp_path / "rows.csv"))
    assert code == 0, err
    rows = pd.read_csv(tmp_path / "rows.csv").to_numpy()
    assert rows.shape == (50, 6) and (rows >= 0).all() and (rows == np.round(rows)).all()


@pytest.mark.parametrize(("value", "shown"), [(-1, "-1"), (2.5, "2.5")])
def test_train_on_an_npz_of_counts_with_a_bad_value_names_file_row_and_column(capsys, tmp_path,
                                                                             value, shown):
    x = _counts(40).astype(np.float64)
    x[12, 4] = value
    np.savez(tmp_path / "counts.npz", counts=x)
    code, _, err = run_cli(capsys, "train", "--data", str(tmp_path / "counts.npz"), "--out",
                           str(tmp_path / "run"), *TINY)
    assert_one_line_error(code, err, "counts.npz: row 12, column 4: ", f"{shown} is not a count")
    assert not (tmp_path / "run").exists()


def test_train_on_float_counts_named_so_checks_every_value(capsys, tmp_path):
    x = _counts(40).astype(np.float32)
    x[3, 1] = 0.25
    np.save(tmp_path / "f.npy", x)
    code, _, err = run_cli(capsys, "train", "--set", "data.name=counts", "--set",
                           f"data.path={tmp_path / 'f.npy'}", "--out", str(tmp_path / "run"), *TINY)
    assert_one_line_error(code, err, "f.npy: row 3, column 1: 0.25 is not a count")


@pytest.mark.parametrize(("value", "shown"), [(-1, "-1"), (0.5, "0.5")])
def test_a_count_likelihood_reads_a_matrix_given_to_data_as_counts(capsys, tmp_path, value, shown):
    """--data x.npy with the counts config: a matrix the arrays source would standardize (floats,
    or a negative) is read as counts, so a value that is no count is named in the file."""
    x = _counts(40).astype(np.float32)
    np.save(tmp_path / "good.npy", x)
    code, _, err = run_cli(capsys, "train", "--config", str(CONFIG), "--data",
                           str(tmp_path / "good.npy"), "--out", str(tmp_path / "run"), *TINY)
    assert code == 0, err
    assert json.loads((tmp_path / "run" / "config.json").read_text())["data"]["kind"] == "counts"
    bad = x.astype(np.int64) if value == -1 else x
    bad[7, 3] = value
    np.save(tmp_path / "bad.npy", bad)
    code, _, err = run_cli(capsys, "train", "--config", str(CONFIG), "--data",
                           str(tmp_path / "bad.npy"), "--out", str(tmp_path / "bad"), *TINY)
    assert_one_line_error(code, err, "bad.npy: row 7, column 3: ", f"{shown} is not a count")
    assert not (tmp_path / "bad").exists()


def test_scoring_a_file_with_a_value_that_is_not_a_count_is_one_line(capsys, counts_run, tmp_path):
    run, _, _ = counts_run
    x = _counts(30).astype(np.float32)
    x[5, 2] = 1.5
    np.save(tmp_path / "bad.npy", x)
    code, _, err = run_cli(capsys, "score", str(run), "--data", str(tmp_path / "bad.npy"),
                           "--out", str(tmp_path / "s.csv"))
    assert_one_line_error(code, err, "bad.npy", "1.5 in row 5, column 2 is not a non-negative integer")
    assert not (tmp_path / "s.csv").exists()


def test_train_reads_an_h5ad_given_to_data_as_counts(capsys, tmp_path):
    anndata = pytest.importorskip("anndata")
    adata = anndata.AnnData(X=_counts(60).astype(np.float32))
    adata.var_names = [f"gene{i}" for i in range(6)]
    adata.write_h5ad(tmp_path / "cells.h5ad")
    code, out, err = run_cli(capsys, "train", "--data", str(tmp_path / "cells.h5ad"), "--out",
                             str(tmp_path / "run"), *TINY)
    assert code == 0, err
    assert "counts: 60 rows x 6 features" in out
    data = json.loads((tmp_path / "run" / "config.json").read_text())["data"]
    assert data["kind"] == "counts" and data["columns"] == [f"gene{i}" for i in range(6)]
