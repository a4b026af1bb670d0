"""The imputation scores of the table suite on tiny tables whose answer is worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks import table_impute


@pytest.fixture(autouse=True)
def _one_thread():
    """IterativeImputer's linear algebra on one thread (the machine is shared)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def test_nrmse_is_rmse_over_the_training_sd():
    # errors 0, 0, 2: RMSE sqrt(4/3), over sd 2
    assert table_impute.nrmse(np.array([1.0, 2, 3]), np.array([1.0, 2, 5]), 2.0) == \
        pytest.approx(np.sqrt(4 / 3) / 2)


def test_accuracy_is_the_share_filled_right():
    assert table_impute.accuracy(np.array(["a", "b", "c", "a"], object),
                                 np.array(["a", "b", "x", "b"], object)) == 0.5


def test_hide_takes_a_seeded_share_of_present_cells_only():
    df = pd.DataFrame({"a": np.r_[np.full(500, np.nan), np.ones(4500)],
                       "b": np.array(["x"] * 5000, object)})
    hidden = table_impute.hide(df, 0.2, seed=3)
    assert not hidden[:500, 0].any()  # a missing cell is never hidden
    assert hidden[500:].mean() == pytest.approx(0.2, abs=0.015)
    assert (hidden == table_impute.hide(df, 0.2, seed=3)).all()
    assert not (hidden == table_impute.hide(df, 0.2, seed=4)).all()


def test_score_by_hand():
    train = pd.DataFrame({"n": [0.0, 2.0, 4.0], "c": ["a", "a", "b"]})  # sd of n: 2 (ddof 1)
    holdout = pd.DataFrame({"n": [1.0, 3.0, np.nan], "c": ["a", "b", "b"]})
    hidden = np.array([[True, True], [True, False], [False, True]])
    filled = pd.DataFrame({"n": [2.0, 3.0, np.nan], "c": ["a", "b", "a"]})
    got = table_impute.score(holdout, filled, hidden, train)
    # n: errors 1, 0 -> RMSE sqrt(1/2), over sd 2; c: "a" right, "b" filled "a" wrong
    assert got["nrmse"] == pytest.approx(np.sqrt(0.5) / 2)
    assert got["accuracy"] == 0.5


def test_mean_mode_fills_training_mean_and_mode_and_keeps_the_rest():
    train = pd.DataFrame({"n": [1.0, 2.0, 6.0], "c": ["a", "b", "b"]})
    gapped = pd.DataFrame({"n": [np.nan, 5.0], "c": ["a", np.nan]})
    got = table_impute.mean_mode(train, gapped)
    assert got["n"].tolist() == [3.0, 5.0]
    assert got["c"].tolist() == ["a", "b"]


def test_iterative_recovers_what_other_columns_determine():
    rng = np.random.default_rng(0)
    a = rng.normal(size=300)
    df = pd.DataFrame({"a": a, "b": 2 * a + 1, "c": np.where(a > 0, "up", "down").astype(object)})
    train, holdout = df.iloc[:200].reset_index(drop=True), df.iloc[200:].reset_index(drop=True)
    got = table_impute.evaluate(train, holdout, {
        "mean_mode": lambda g: table_impute.mean_mode(train, g),
        "iterative": lambda g: table_impute.iterative(train, g)}, seed=1)
    it, mm = got["methods"]["iterative"], got["methods"]["mean_mode"]
    assert got["hidden"] > 30
    assert mm["nrmse"] == pytest.approx(1.0, abs=0.25)  # a guess of the mean: about one sd off
    # a and b are linear in each other: exact unless both are hidden (a fifth of the cells),
    # where only c is left to go by
    assert it["nrmse"] < 0.4
    assert it["accuracy"] > 0.8 > mm["accuracy"]


def test_the_summary_averages_each_method_over_the_tables_of_its_role():
    from benchmarks.tables import imputation_summary

    def result(role, nrmse, accuracy):
        return {"table": {"role": role}, "imputation": {"methods": {
            "mean_mode": {"nrmse": nrmse, "accuracy": accuracy},
            "vaekit": {"failed": "RuntimeError: x"} if nrmse > 1 else
            {"nrmse": nrmse / 2, "accuracy": None}}}}

    rows = imputation_summary([result("dev", 1.0, 0.5), result("dev", 0.5, 0.7),
                               result("report", 2.0, 0.1), {"table": {"role": "report"}}])
    got = {(r["role"], r["method"]): r for r in rows}
    assert got["dev", "mean_mode"]["nrmse"] == pytest.approx(0.75)
    assert got["dev", "mean_mode"]["accuracy"] == pytest.approx(0.6)
    assert got["dev", "vaekit"]["nrmse"] == pytest.approx(0.375)
    assert got["dev", "vaekit"]["accuracy"] is None  # no categorical column anywhere
    assert got["report", "mean_mode"]["tables"] == 1  # a file from before imputation: left out
    assert ("report", "vaekit") not in got  # failed on its only table
