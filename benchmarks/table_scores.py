"""Scores of synthetic rows that need the rows as vectors or a model: alpha-precision and
beta-recall, detection (C2ST), DCR share and ML efficacy, as the TabSyn/TabDiff protocol has them.

Rows become vectors by ``encode``: each category one-hot over the real rows' categories (a missing
cell is a category of its own; one the real rows lack is all zeros), each number standardized
(or scaled to [0, 1]) by the real rows, a missing number set to the real mean with a 0/1 column
that marks it (for the columns with missing cells among the real rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.table_data import numeric_columns

MISSING = "<missing>"


def encode(df: Any, real: Any, scale: str = "standard") -> np.ndarray:
    """(N, D) float vectors of ``df``'s rows, the encoding fitted on ``real``; ``scale``:
    "standard" (mean 0, sd 1) or "minmax" (the real range to [0, 1])."""
    numeric = set(numeric_columns(real))
    parts = []
    for c in real.columns:
        if c in numeric:
            r = real[c].to_numpy(float)
            mean = np.nanmean(r) if np.isfinite(r).any() else 0.0
            lo, hi = (np.nanmin(r), np.nanmax(r)) if np.isfinite(r).any() else (0.0, 1.0)
            shift, width = (mean, np.nanstd(r)) if scale == "standard" else (lo, hi - lo)
            v = df[c].to_numpy(float)
            parts.append(((np.where(np.isnan(v), mean, v) - shift) / (width or 1.0))[:, None])
            if np.isnan(r).any():
                parts.append(np.isnan(v)[:, None].astype(float))
        else:
            vocab = np.array(sorted(real[c].fillna(MISSING).unique()))
            parts.append((df[c].fillna(MISSING).to_numpy()[:, None] == vocab[None]).astype(float))
    return np.hstack(parts)


def alpha_precision_beta_recall(real: np.ndarray, fake: np.ndarray, steps: int = 30
                                ) -> tuple[float, float]:
    """Alaa et al. (2022), as synthcity's "naive" estimate that TabSyn reports.

    ``real`` (N, D), ``fake`` (M, D) encoded rows. For alpha in a grid of ``steps`` levels on
    [0, 1]: the alpha-support of the real rows is the ball around their mean whose radius is the
    alpha-quantile of their distances to it; P(alpha) is the share of fake rows inside it.
    B(beta) is the share of real rows whose nearest fake row is nearer than their nearest other
    real row, and that fake row lies within the beta-quantile radius of such fake rows around the
    fake mean. The scores are 1 - sum |P(a) - a| / sum a and 1 - sum |B(b) - b| / sum b: 1 when
    the synthetic rows fill the real support as densely as the real rows do.
    """
    from sklearn.neighbors import NearestNeighbors

    alphas = np.linspace(0, 1, steps)
    center, fake_center = real.mean(0), fake.mean(0)
    radii = np.quantile(np.linalg.norm(real - center, axis=1), alphas)
    fake_to_center = np.linalg.norm(fake - center, axis=1)
    real_to_real = NearestNeighbors(n_neighbors=2).fit(real).kneighbors(real)[0][:, 1]
    real_to_fake, nearest = NearestNeighbors(n_neighbors=1).fit(fake).kneighbors(real)
    real_to_fake, nearest = real_to_fake[:, 0], nearest[:, 0]
    nearest_to_center = np.linalg.norm(fake[nearest] - fake_center, axis=1)
    fake_radii = np.quantile(nearest_to_center, alphas)
    precision = np.array([np.mean(fake_to_center <= r) for r in radii])
    recall = np.array([np.mean((real_to_fake <= real_to_real) & (nearest_to_center <= r))
                       for r in fake_radii])
    return (float(1 - np.abs(precision - alphas).sum() / alphas.sum()),
            float(1 - np.abs(recall - alphas).sum() / alphas.sum()))


def detection(real: np.ndarray, fake: np.ndarray, seed: int = 0) -> dict[str, float]:
    """C2ST as SDMetrics' LogisticDetection: a logistic regression told real rows (N, D) from fake
    ones (M, D), 3-fold stratified cross-validation. ``auc``: its mean ROC AUC (0.5: it cannot
    tell them apart); ``score``: the mean of 1 - (2 * max(AUC, 0.5) - 1), in [0, 1], 1 best."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    x = np.vstack([real, fake])
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    aucs = []
    for tr, te in StratifiedKFold(3, shuffle=True, random_state=seed).split(x, y):
        clf = LogisticRegression(max_iter=1000).fit(x[tr], y[tr])
        aucs.append(roc_auc_score(y[te], clf.predict_proba(x[te])[:, 1]))
    return {"auc": float(np.mean(aucs)),
            "score": float(np.mean([1 - (2 * max(a, 0.5) - 1) for a in aucs]))}


def dcr_share(train: np.ndarray, holdout: np.ndarray, fake: np.ndarray) -> float:
    """The share of fake rows (M, D) whose nearest training row is nearer (L1) than their
    nearest holdout row, ties counted half; with as many holdout as training rows, 0.5 is a
    generator that copies nothing and 1.0 one that copies its training rows."""
    from sklearn.neighbors import NearestNeighbors

    d_train = NearestNeighbors(n_neighbors=1, metric="manhattan").fit(train).kneighbors(fake)[0]
    d_hold = NearestNeighbors(n_neighbors=1, metric="manhattan").fit(holdout).kneighbors(fake)[0]
    return float(np.mean(d_train < d_hold) + 0.5 * np.mean(d_train == d_hold))


def _features(df: Any, real: Any, target: str) -> Any:
    """The columns but ``target``, categories as codes of the real rows' categories (NaN for a
    missing or unseen one), numbers as they are."""
    import pandas as pd

    numeric = set(numeric_columns(real))
    return pd.DataFrame({c: df[c] if c in numeric else pd.Categorical(
        df[c], categories=sorted(real[c].dropna().unique())) for c in real.columns if c != target})


def efficacy(rows: Any, real: Any, holdout: Any, target: str, task: str, seed: int = 0) -> float:
    """ML efficacy: a histogram gradient-boosting model trained on ``rows`` to predict
    ``target``, scored on the real ``holdout``: ROC AUC for a classification (one class against
    the rest, weighted, for more than two), R^2 for a regression. ``real``: the real training rows
    (their categories code the features). A model given one class scores 0.5."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import r2_score, roc_auc_score

    rows = rows[rows[target].notna()]
    x, x_test = _features(rows, real, target), _features(holdout, real, target)
    y, y_test = rows[target].to_numpy(), holdout[target].to_numpy()
    if task == "regression":
        model = HistGradientBoostingRegressor(categorical_features="from_dtype", random_state=seed)
        return float(r2_score(y_test, model.fit(x, y.astype(float)).predict(x_test)))
    if len(set(y)) < 2:
        return 0.5
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)
    proba = model.fit(x, y).predict_proba(x_test)
    labels = sorted(set(y_test))
    cols = {c: i for i, c in enumerate(model.classes_)}
    p = np.stack([proba[:, cols[c]] if c in cols else np.zeros(len(y_test)) for c in labels], 1)
    if len(labels) == 2:
        return float(roc_auc_score(y_test == labels[1], p[:, 1]))
    p = (p + 1e-12) / (p + 1e-12).sum(1, keepdims=True)
    return float(roc_auc_score(y_test, p, multi_class="ovr", average="weighted", labels=labels))
