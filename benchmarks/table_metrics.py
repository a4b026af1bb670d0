"""Fidelity of synthetic rows to real ones, column by column and pair by pair, as SDMetrics'
QualityReport computes it (the scores of the TabSyn/TabDiff protocol), plus missing-cell rates.

Both tables come as ``table_data.conform`` gives them: numbers as float, categories as strings,
NaN where a cell is missing. Errors are percentages: 100 * (1 - similarity), 0 for a perfect copy
of the real distribution.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from benchmarks.table_data import numeric_columns

BINS = 10  # a number paired with a category is cut into 10 bins of the real column's range


def ks_similarity(real: Any, fake: Any) -> float:
    """1 - the two-sample Kolmogorov-Smirnov statistic of a numeric column's present values."""
    from scipy.stats import ks_2samp

    r, f = real.dropna().to_numpy(float), fake.dropna().to_numpy(float)
    if len(r) == 0 or len(f) == 0:
        return float(len(r) == len(f))
    return 1.0 - float(ks_2samp(r, f).statistic)


def tv_similarity(real: Any, fake: Any) -> float:
    """1 - the total variation distance, 0.5 * sum |p_real - p_fake|, of the categories' shares
    (a missing cell is a category of its own)."""
    p = real.fillna("<missing>").value_counts(normalize=True)
    q = fake.fillna("<missing>").value_counts(normalize=True)
    return 1.0 - 0.5 * float(p.sub(q, fill_value=0.0).abs().sum())


def shape_error(real: Any, fake: Any) -> float:
    """Column-shape error, %: 100 * (1 - the mean over columns of the KS similarity (numbers) or
    TV similarity (categories))."""
    numeric = set(numeric_columns(real))
    scores = [(ks_similarity if c in numeric else tv_similarity)(real[c], fake[c])
              for c in real.columns]
    return 100.0 * (1.0 - float(np.mean(scores)))


def _binned(col: Any, edges: np.ndarray) -> Any:
    """A numeric column as the index of its bin among ``edges`` (clipped to the outer bins)."""
    import pandas as pd

    idx = np.clip(np.searchsorted(edges, col.to_numpy(float), side="right") - 1, 0, len(edges) - 2)
    return pd.Series(idx.astype(str), index=col.index, dtype=object).where(col.notna(), np.nan)


def contingency_similarity(real: Any, fake: Any) -> float:
    """1 - 0.5 * sum |p_real(a, b) - p_fake(a, b)| over the joint categories of two columns
    (DataFrames of two categorical columns; rows with a missing cell are left out)."""
    p = real.dropna().value_counts(normalize=True)
    q = fake.dropna().value_counts(normalize=True)
    if len(p) == 0 or len(q) == 0:
        return float(len(p) == len(q))
    return 1.0 - 0.5 * float(p.sub(q, fill_value=0.0).abs().sum())


def correlation_similarity(real: Any, fake: Any) -> float:
    """1 - |rho_real - rho_fake| / 2 for the Pearson correlations of two numeric columns (rows
    with both present); a constant column counts as correlation 0."""
    def rho(df: Any) -> float:
        r = df.dropna().corr().iloc[0, 1]
        return 0.0 if np.isnan(r) else float(r)

    return 1.0 - abs(rho(real) - rho(fake)) / 2.0


def trend_error(real: Any, fake: Any) -> float:
    """Pair-trend error, %: 100 * (1 - the mean over all column pairs of the correlation
    similarity (two numbers) or the contingency similarity (a category with a category, or with
    a number cut into ``BINS`` bins of equal width over the real column's range))."""
    numeric = set(numeric_columns(real))
    edges = {c: np.histogram_bin_edges(real[c].dropna().to_numpy(float), BINS) for c in numeric
             if real[c].notna().any()}
    cats = {}
    for name, df in (("real", real), ("fake", fake)):
        cats[name] = df.copy()
        for c in numeric:
            if c in edges:
                cats[name][c] = _binned(df[c], edges[c])
    scores = []
    for a, b in combinations(real.columns, 2):
        if a in numeric and b in numeric:
            scores.append(correlation_similarity(real[[a, b]], fake[[a, b]]))
        else:
            scores.append(contingency_similarity(cats["real"][[a, b]], cats["fake"][[a, b]]))
    return 100.0 * (1.0 - float(np.mean(scores))) if scores else 0.0


def missing_rates(df: Any) -> dict[str, float]:
    """The share of missing cells of each column, in [0, 1]."""
    return {c: float(df[c].isna().mean()) for c in df.columns}
