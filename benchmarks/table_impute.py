"""Imputation error on a table's holdout rows: a seeded share of the present cells hidden
(MCAR, every column), filled by a method, scored against the values hidden.

Tables come as ``table_data.conform`` gives them: numbers as float, categories as strings, NaN
where a cell is missing. Cells missing in the holdout already stay missing and are never scored.
A numeric column scores NRMSE (the RMSE over its hidden cells divided by the column's standard
deviation in the training rows: 1.0 is as far off as a guess of the mean); a categorical column
scores accuracy (the share of hidden cells filled with the hidden category).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.table_data import numeric_columns

SHARE = 0.2  # the share of present cells hidden


def hide(df: Any, share: float = SHARE, seed: int = 0) -> np.ndarray:
    """(N, C) bool: True for the cells to hide, each present cell with probability ``share``
    (seeded; a missing cell never)."""
    rng = np.random.default_rng(seed)
    return (rng.random(df.shape) < share) & df.notna().to_numpy()


def nrmse(truth: np.ndarray, filled: np.ndarray, sd: float) -> float:
    """sqrt(mean((filled - truth)^2)) / ``sd`` over (n,) hidden values of a numeric column, in
    units of the column's training standard deviation (a cell left NaN makes the score NaN)."""
    err = np.asarray(filled, float) - np.asarray(truth, float)
    return float(np.sqrt(np.mean(err**2)) / (sd or 1.0))


def accuracy(truth: np.ndarray, filled: np.ndarray) -> float:
    """The share of (n,) hidden categories filled with the hidden one, in [0, 1]."""
    return float(np.mean(np.asarray(truth, object) == np.asarray(filled, object)))


def mean_mode(train: Any, gapped: Any) -> Any:
    """``gapped`` with each missing cell filled by its column's training mean (numbers) or most
    frequent category (categories)."""
    numeric = set(numeric_columns(train))
    fill = {c: train[c].mean() if c in numeric else train[c].mode().iloc[0] for c in train}
    return gapped.fillna(fill)


def iterative(train: Any, gapped: Any, seed: int = 0) -> Any:
    """``gapped`` filled by scikit-learn's IterativeImputer (BayesianRidge, 10 rounds) fitted
    on the training rows and ``gapped`` together: numbers as they are; each category as 0/1
    columns for its training categories but the most frequent one, the reference (all zeros;
    a full one-hot block would let each column be predicted exactly from its sibling, itself
    missing and mean-filled in the same cells, and the fill would never leave the mean). A
    missing category leaves its whole block NaN; the filled block goes back to the category of
    the nearest coding vector: the column with the largest entry if it is above 0.5, else the
    reference."""
    import pandas as pd
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    numeric = set(numeric_columns(train))
    # each category's training categories, the most frequent (the reference) first
    vocab = {c: train[c].value_counts().index.to_numpy(object) for c in train if c not in numeric}

    def encode(df: Any) -> np.ndarray:
        parts = []
        for c in train:
            if c in numeric:
                parts.append(df[c].to_numpy(float)[:, None])
            else:
                v = df[c].to_numpy(object)[:, None]
                block = (v == vocab[c][None, 1:]).astype(float)
                parts.append(np.where(pd.isna(v), np.nan, block))
        return np.hstack(parts)

    x = encode(gapped)
    both = np.vstack([encode(train), x])
    imp = IterativeImputer(max_iter=10, random_state=seed, keep_empty_features=True)
    done = imp.fit_transform(both)[len(train):]
    out, start = gapped.copy(), 0
    for c in train:
        width = 1 if c in numeric else len(vocab[c]) - 1
        block = done[:, start:start + width]
        start += width
        if c in numeric:
            value = block[:, 0]
        else:  # the nearest of the vectors 0 (the reference) and e_k: e_k when its entry > 0.5
            best = block.argmax(1) if width else np.zeros(len(block), int)
            top = block[np.arange(len(block)), best] if width else np.zeros(len(block))
            value = vocab[c][np.where(top > 0.5, best + 1, 0)]
        out[c] = gapped[c].where(gapped[c].notna(), pd.Series(value, index=gapped.index))
    return out


def score(holdout: Any, filled: Any, hidden: np.ndarray, train: Any) -> dict[str, Any]:
    """The scores of ``filled`` (``holdout`` with its ``hidden`` (N, C) cells filled):
    ``nrmse`` (mean over numeric columns with a hidden cell) and ``accuracy`` (mean over
    categorical ones), None when the table has no such column, and ``columns``, each column's
    own score."""
    numeric = set(numeric_columns(train))
    columns: dict[str, float] = {}
    for j, c in enumerate(train.columns):
        rows = hidden[:, j]
        if not rows.any():
            continue
        truth, got = holdout[c].to_numpy()[rows], filled[c].to_numpy()[rows]
        columns[c] = (nrmse(truth, got, float(train[c].std())) if c in numeric
                      else accuracy(truth, got))
    num = [v for c, v in columns.items() if c in numeric]
    cat = [v for c, v in columns.items() if c not in numeric]
    return {"nrmse": float(np.mean(num)) if num else None,
            "accuracy": float(np.mean(cat)) if cat else None,
            "columns": {c: round(v, 4) for c, v in columns.items()}}


def evaluate(train: Any, holdout: Any, methods: dict[str, Callable[[Any], Any]],
             seed: int = 0) -> dict[str, Any]:
    """Hide ``SHARE`` of ``holdout``'s present cells (seeded) and score each method, a function
    from the gapped rows to the filled ones: ``hidden`` (cells hidden) and ``methods`` (each
    one's scores, or ``failed`` with the error)."""
    from benchmarks.table_data import conform

    hidden = hide(holdout, SHARE, seed)
    gapped = holdout.mask(hidden)
    out: dict[str, Any] = {"share": SHARE, "hidden": int(hidden.sum()), "methods": {}}
    for name, fill in methods.items():
        try:
            out["methods"][name] = score(holdout, conform(fill(gapped), train), hidden, train)
        except Exception as e:  # one method failing leaves the others' numbers standing
            out["methods"][name] = {"failed": f"{type(e).__name__}: {e}"}
    return out
