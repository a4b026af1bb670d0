"""A Gaussian copula for mixed tables: the baseline that keeps each column's marginal exactly and
the pairs' dependence only through one correlation matrix of normal scores.

Each column becomes a uniform score u in (0, 1): a number by its rank among the present values,
a category by a uniform draw inside its interval of the cumulative category shares (categories
by falling share, a missing cell a category of its own); a numeric column with missing cells
puts them first, in [0, m) for its missing share m. The normal scores Phi^-1(u) give one
correlation matrix; sampling draws N(0, R), maps back through Phi and inverts each column: the
interpolated quantile of the present values, or the category whose interval holds u.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.table_data import numeric_columns

EPS = 1e-6
# A missing category cell while fitting: a marker no table holds (pandas 2 turns "\0" into "").
MISSING = "\u2400missing\u2400"


class GaussianCopula:
    """``fit(df)`` on ``table_data.conform``-ed rows, then ``sample(n, seed)`` as many rows."""

    def fit(self, df: Any, seed: int = 0) -> GaussianCopula:
        from scipy.stats import norm, rankdata

        rng = np.random.default_rng(seed)
        self.columns, self.numeric = list(df.columns), set(numeric_columns(df))
        self.values: dict[str, np.ndarray] = {}
        self.missing: dict[str, float] = {}
        self.cats: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        u = np.empty((len(df), len(self.columns)))
        for j, c in enumerate(self.columns):
            if c in self.numeric:
                v = df[c].to_numpy(float)
                present = ~np.isnan(v)
                m = 1.0 - present.mean()
                self.values[c], self.missing[c] = np.sort(v[present]), m
                u[:, j] = rng.uniform(0, m, len(v))
                u[present, j] = m + (1 - m) * (rankdata(v[present]) - 0.5) / present.sum()
            else:
                shares = df[c].fillna(MISSING).value_counts(normalize=True)
                upper = np.cumsum(shares.to_numpy())
                self.cats[c] = (shares.index.to_numpy(), upper)
                pos = shares.index.get_indexer(df[c].fillna(MISSING))
                lower = np.r_[0.0, upper][pos]
                u[:, j] = lower + rng.uniform(0, 1, len(df)) * (upper[pos] - lower)
        z = norm.ppf(np.clip(u, EPS, 1 - EPS))
        corr = np.corrcoef(z, rowvar=False) if len(self.columns) > 1 else np.ones((1, 1))
        self.corr = np.nan_to_num(np.atleast_2d(corr))
        np.fill_diagonal(self.corr, 1.0)
        return self

    def sample(self, n: int, seed: int = 0) -> Any:
        """``n`` rows (a DataFrame with the fitted columns: floats and strings, NaN if missing)."""
        import pandas as pd
        from scipy.stats import norm

        rng = np.random.default_rng(seed)
        u = norm.cdf(rng.multivariate_normal(np.zeros(len(self.columns)), self.corr, n,
                                             method="eigh"))
        out = {}
        for j, c in enumerate(self.columns):
            if c in self.numeric:
                m, values = self.missing[c], self.values[c]
                q = np.clip((u[:, j] - m) / max(1 - m, EPS), 0, 1)
                col = np.quantile(values, q) if len(values) else np.full(n, np.nan)
                out[c] = np.where(u[:, j] < m, np.nan, col)
            else:
                names, upper = self.cats[c]
                picked = names[np.minimum(np.searchsorted(upper, u[:, j]), len(names) - 1)]
                col = pd.Series(picked, dtype=object)
                out[c] = col.where(col != MISSING, np.nan)  # the missing marker back to NaN
        return pd.DataFrame(out)
