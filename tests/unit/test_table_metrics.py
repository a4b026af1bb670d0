"""The scores of the table suite on cases whose answer is known without the code under test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks import table_data, table_metrics, table_scores
from benchmarks.gaussian_copula import GaussianCopula


@pytest.fixture(autouse=True)
def _one_thread():
    """Gradient boosting and nearest neighbours on one thread: OpenMP threads spin for minutes
    on a machine that other work keeps busy."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _table(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Two correlated numbers, a category that follows them, one with missing cells."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = a + 0.3 * rng.normal(size=n)
    c = np.where(a > 0, "up", "down").astype(object)
    d = rng.choice(np.array(["x", "y", "z"], dtype=object), n)
    d[rng.random(n) < 0.1] = np.nan
    return table_data.conform(pd.DataFrame({"a": a, "b": b, "c": c, "d": d}),
                              pd.DataFrame({"a": a, "b": b, "c": c, "d": d}))


def _shuffled(df: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """Each column permuted on its own: the same marginals, every relation between them gone."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: df[c].to_numpy()[rng.permutation(len(df))] for c in df.columns})


def test_identical_rows_have_no_shape_or_trend_error():
    df = _table()
    assert table_metrics.shape_error(df, df.copy()) == pytest.approx(0.0, abs=1e-12)
    assert table_metrics.trend_error(df, df.copy()) == pytest.approx(0.0, abs=1e-12)


def test_shuffled_columns_keep_the_shapes_and_lose_the_trends():
    df = _table()
    fake = _shuffled(df)
    assert table_metrics.shape_error(df, fake) == pytest.approx(0.0, abs=1e-12)
    assert table_metrics.trend_error(df, fake) > 10.0  # a, b and c move together in the real rows


def test_the_similarities_give_their_textbook_values():
    # KS: {0, 1} against {0.5, 1.5}: the empirical CDFs differ by at most 1/2.
    assert table_metrics.ks_similarity(pd.Series([0.0, 1.0]), pd.Series([0.5, 1.5])) == 0.5
    # TV: (1/2, 1/2) against (1, 0): distance 1/2.
    assert table_metrics.tv_similarity(pd.Series(["a", "b"]), pd.Series(["a", "a"])) == 0.5
    # Correlations +1 and -1: similarity 1 - |1 - (-1)| / 2 = 0.
    x = pd.Series([1.0, 2.0, 3.0])
    assert table_metrics.correlation_similarity(pd.DataFrame({"p": x, "q": x}),
                                                pd.DataFrame({"p": x, "q": -x})) == 0.0
    # Joint shares {(a, a): 1/2, (b, b): 1/2} against {(a, b): 1/2, (b, a): 1/2}: disjoint.
    real = pd.DataFrame({"p": ["a", "b"], "q": ["a", "b"]})
    fake = pd.DataFrame({"p": ["a", "b"], "q": ["b", "a"]})
    assert table_metrics.contingency_similarity(real, fake) == 0.0


def test_missing_rates_count_the_missing_cells():
    df = pd.DataFrame({"n": [1.0, np.nan, 3.0, np.nan], "c": ["a", np.nan, "b", "c"]})
    assert table_metrics.missing_rates(df) == {"n": 0.5, "c": 0.25}


def test_encoding_is_one_hot_and_standardized_with_a_missing_flag():
    real = pd.DataFrame({"n": [0.0, 2.0, np.nan], "c": ["a", "b", np.nan]})
    x = table_scores.encode(pd.DataFrame({"n": [2.0, np.nan], "c": ["b", "new"]}), real)
    # n: (2 - mean 1) / sd 1 = 1, a missing n is the mean (0) with its flag set; c: one-hot
    # over <missing>, a, b (sorted), an unseen category all zeros.
    assert x.tolist() == [[1.0, 0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0, 0.0]]


def test_alpha_precision_and_beta_recall_are_high_for_the_same_distribution():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(800, 3)), rng.normal(size=(800, 3))
    alpha, beta = table_scores.alpha_precision_beta_recall(real, fake)
    assert alpha > 0.9 and beta > 0.3
    # Fake rows all at one point near the centre: inside every real ball, even the smallest
    # (P(alpha) = 1 for every alpha, so 1 - sum(1 - alpha) / sum(alpha) = 0), covering nothing.
    alpha_c, beta_c = table_scores.alpha_precision_beta_recall(real, np.zeros((800, 3)))
    assert alpha_c < 0.05 and beta_c < 0.05
    # Fake rows far away: outside every ball but the whole one.
    alpha_far, _ = table_scores.alpha_precision_beta_recall(real, fake + 10.0)
    assert alpha_far < 0.1


def test_detection_tells_shifted_rows_and_not_fresh_draws():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(600, 4))
    same = table_scores.detection(real, rng.normal(size=(600, 4)))
    shifted = table_scores.detection(real, rng.normal(size=(600, 4)) + 1.5)
    assert abs(same["auc"] - 0.5) < 0.06 and same["score"] > 0.85
    assert shifted["auc"] > 0.95 and shifted["score"] < 0.1


def test_dcr_share_is_one_for_copies_and_a_half_for_fresh_draws():
    rng = np.random.default_rng(0)
    train, holdout = rng.normal(size=(500, 3)), rng.normal(size=(500, 3))
    assert table_scores.dcr_share(train, holdout, train.copy()) == 1.0
    assert abs(table_scores.dcr_share(train, holdout, rng.normal(size=(500, 3))) - 0.5) < 0.06


def test_efficacy_of_the_real_rows_beats_shuffled_ones():
    df = _table(1200)
    train, holdout = df.iloc[:600], df.iloc[600:].reset_index(drop=True)
    real = table_scores.efficacy(train, train, holdout, "c", "classification")
    assert real > 0.95  # c is the sign of a
    assert abs(table_scores.efficacy(_shuffled(train), train, holdout, "c", "classification")
               - 0.5) < 0.1
    r2 = table_scores.efficacy(train, train, holdout, "b", "regression")
    assert 0.8 < r2 < 1.0  # b = a + noise of sd 0.3: R^2 about 1 / 1.09


def test_the_copula_keeps_marginals_and_a_linear_relation():
    df = _table(2000)
    fake = GaussianCopula().fit(df).sample(2000, seed=1)
    assert table_metrics.shape_error(df, fake) < 5.0
    assert np.corrcoef(fake["a"], fake["b"])[0, 1] == pytest.approx(
        np.corrcoef(df["a"], df["b"])[0, 1], abs=0.05)
    assert fake["d"].isna().mean() == pytest.approx(df["d"].isna().mean(), abs=0.03)


def test_the_split_is_seeded_equal_and_disjoint():
    df = pd.DataFrame({"i": np.arange(101.0)})
    train, holdout = table_data.split(df, max_rows=40, seed=3)
    again, _ = table_data.split(df, max_rows=40, seed=3)
    assert len(train) == len(holdout) == 40
    assert train.equals(again)
    assert not set(train["i"]) & set(holdout["i"])
    assert len(table_data.split(df, max_rows=None)[0]) == 50
