"""The pieces of the table suite's conditional-sampling score, on rows whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks import table_conditional as tc


def test_conditions_take_the_top_classes_or_the_median():
    train = pd.DataFrame({"k": ["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2,
                          "v": np.arange(14.0)})
    assert [c.text for c in tc.conditions(train, "k")] == ["k=a", "k=b", "k=c"]
    assert [c.text for c in tc.conditions(train, "v")] == ["v>=6.5", "v<6.5"]


def test_holds_on_categories_and_numbers_missing_meets_none():
    df = pd.DataFrame({"k": ["a", "b", np.nan], "v": [1.0, np.nan, 3.0]})
    assert tc.Condition("k", "=", "a").holds(df).tolist() == [True, False, False]
    assert tc.Condition("v", ">=", 2.0).holds(df).tolist() == [False, False, True]
    assert tc.Condition("v", "<", 2.0).holds(df).tolist() == [True, False, False]


def _uniform(m: int, seed: int) -> pd.DataFrame:
    return pd.DataFrame({"v": np.random.default_rng(seed).uniform(0, 1, m)})


def test_by_rejection_keeps_only_rows_that_meet_and_counts_the_draws():
    rows, drawn = tc.by_rejection(_uniform, tc.Condition("v", ">=", 0.9), 100, seed=0)
    assert len(rows) == 100 and (rows["v"] >= 0.9).all()
    assert drawn >= 1000  # about one draw in ten meets it


def test_by_rejection_gives_up_at_its_cap():
    rows, drawn = tc.by_rejection(_uniform, tc.Condition("v", ">=", 2.0), 10, seed=0)
    assert len(rows) == 0 and drawn >= tc.MAX_DRAWS * 10


def test_evaluate_scores_a_perfect_conditional_sampler_as_perfect():
    rng = np.random.default_rng(0)
    k = rng.choice(np.array(["a", "b"], object), 4000)
    df = pd.DataFrame({"k": k, "v": np.where(k == "a", 0.0, 5.0) + rng.normal(size=4000)})
    train, holdout = df.iloc[:2000].reset_index(drop=True), df.iloc[2000:].reset_index(drop=True)

    def exact(cond: tc.Condition, n: int, seed: int):
        pool = holdout[cond.holds(holdout)]
        return pool.sample(n, replace=True, random_state=seed).reset_index(drop=True), n

    def ignores(cond: tc.Condition, n: int, seed: int):
        return holdout.sample(n, replace=True, random_state=seed).reset_index(drop=True), n

    good, bad = (tc.evaluate(f, train, holdout, "k") for f in (exact, ignores))
    assert good["met"] == 1.0 and bad["met"] == pytest.approx(0.5, abs=0.05)
    assert good["shape_error"] < 3 < 20 < bad["shape_error"]
