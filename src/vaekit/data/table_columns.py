"""One column of a table <-> its block of the model's row tensor, fitted on the train split.

Every column turns (N,) parsed values (float64 with NaN for numbers and booleans, text or None
for categories) into an (N, width) float32 block, NaN across the block where a cell is missing,
and back. Each is stored as plain JSON (``to_json``/``column_from_json``) and tells the
likelihood its block (``block``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from vaekit.data.table_categorical import Categorical
from vaekit.data.table_types import pandas
from vaekit.errors import DataError

MAX_MODES = 10  # components of each continuous column's mixture (CTGAN/TVAE use 10)
MIN_WEIGHT = 0.005  # modes lighter than this are dropped (as CTGAN does)
FIT_ROWS = 2000  # the mixture is fitted on at most this many train cells (seeded subsample)


def _missing_rows(block: np.ndarray, present: np.ndarray) -> np.ndarray:
    block[~present] = np.nan
    return block.astype(np.float32)


@dataclass
class Continuous:
    """Mode-specific normalization (CTGAN/TVAE): a Gaussian mixture fitted on the column; a value
    x is encoded as alpha = (x - mu_m) / (4 sigma_m) and the one-hot of its most probable mode m.
    Block: [alpha, one-hot of K modes]. ``integer`` columns decode to rounded Int64."""

    name: str
    means: list[float]
    stds: list[float]
    weights: list[float]
    integer: bool = False
    # The observed range (decoded values stay inside it), the decimals the values were written
    # with, and whether the column holds datetimes (seconds since 1970, written back as dates).
    low: float | None = None
    high: float | None = None
    decimals: int | None = None
    datetime: bool = False
    kind: ClassVar[str] = "continuous"

    @classmethod
    def fit(cls, name: str, values: np.ndarray, integer: bool, seed: int,
            datetime: bool = False) -> Continuous:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.mixture import BayesianGaussianMixture

        x = values[~np.isnan(values)]
        form = {"low": float(x.min()), "high": float(x.max()), "decimals": _decimals(x),
                "datetime": datetime}
        if len(x) > FIT_ROWS:
            x = np.random.default_rng(seed).choice(x, FIT_ROWS, replace=False)
        spread = float(x.std()) or 1.0
        k = min(MAX_MODES, len(np.unique(x)))
        if k <= 1:
            return cls(name, [float(x.mean())], [spread], [1.0], integer, **form)
        gmm = BayesianGaussianMixture(
            n_components=k, weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=0.001, max_iter=100, n_init=1, random_state=seed,
            covariance_type="diag")
        with warnings.catch_warnings():  # a mixture that stops at max_iter still fits well
            warnings.simplefilter("ignore", ConvergenceWarning)
            gmm.fit(x[:, None])
        keep = gmm.weights_ > MIN_WEIGHT
        # A floor keeps a mode on one repeated value (an integer column) from being a spike.
        stds = np.maximum(np.sqrt(gmm.covariances_.reshape(-1)), 1e-3 * spread)
        w = gmm.weights_[keep] / gmm.weights_[keep].sum()
        return cls(name, gmm.means_.reshape(-1)[keep].tolist(), stds[keep].tolist(), w.tolist(),
                   integer, **form)

    @property
    def width(self) -> int:
        return 1 + len(self.means)

    @property
    def type(self) -> str:
        return "datetime" if self.datetime else "integer" if self.integer else "continuous"

    @property
    def detail(self) -> str:
        return f"{len(self.means)} modes"

    def mode_of(self, x: np.ndarray) -> np.ndarray:
        """(N,) index of each value's most probable mode (x: (N,) without NaN)."""
        mu, sd, w = np.array(self.means), np.array(self.stds), np.array(self.weights)
        log_r = np.log(w) - np.log(sd) - 0.5 * ((x[:, None] - mu) / sd) ** 2
        return log_r.argmax(1)

    def encode(self, values: np.ndarray) -> np.ndarray:
        present = ~np.isnan(values)
        x = np.where(present, values, self.means[0])
        m = self.mode_of(x)
        mu, sd = np.array(self.means)[m], np.array(self.stds)[m]
        block = np.zeros((len(x), self.width))
        block[:, 0] = (x - mu) / (4 * sd)
        block[np.arange(len(x)), 1 + m] = 1.0
        return _missing_rows(block, present)

    def decode(self, block: np.ndarray) -> Any:
        m = np.nan_to_num(block[:, 1:]).argmax(1)
        x = block[:, 0] * 4 * np.array(self.stds)[m] + np.array(self.means)[m]
        x = np.where(np.isnan(block).any(1), np.nan, x)
        if self.low is not None and self.high is not None:
            x = np.clip(x, self.low, self.high)
        return self.written(x)

    def written(self, x: np.ndarray) -> Any:
        """(N,) values (NaN = missing) in the column's written form: Int64 integers, datetimes,
        numbers with the decimals the data were written with."""
        pd = pandas()
        if self.datetime:
            return pd.to_datetime(pd.Series(np.round(x)), unit="s").array
        if self.integer:
            return pd.array(np.round(x), dtype="Float64").astype("Int64")
        if self.decimals is not None:
            x = np.round(x, self.decimals)
        return pd.Series(x, dtype="float64").array

    def block(self) -> dict[str, Any]:
        return {"kind": "continuous", "means": self.means, "stds": self.stds,
                "weights": self.weights}


def _decimals(x: np.ndarray, most: int = 8) -> int | None:
    """The fewest decimals that write every value of x (N,) exactly; None past ``most``."""
    for d in range(most + 1):
        if np.allclose(np.round(x, d), x, rtol=0, atol=1e-9 * max(1.0, float(np.abs(x).max()))):
            return d
    return None


@dataclass
class Standardized:
    """(x - mean) / std, one dimension: the numeric columns of runs made before mixed tables and
    of 2-D arrays. Its likelihood is one of the plain ones (the run's log-Jacobian applies)."""

    name: str
    mean: float
    std: float
    kind: ClassVar[str] = "standardized"
    type: ClassVar[str] = "continuous"
    width: ClassVar[int] = 1
    detail: ClassVar[str] = "standardized"

    def encode(self, values: np.ndarray) -> np.ndarray:
        return ((values - self.mean) / self.std)[:, None].astype(np.float32)

    def decode(self, block: np.ndarray) -> Any:
        return self.written(block[:, 0] * self.std + self.mean)

    def written(self, x: np.ndarray) -> Any:
        return pandas().Series(x, dtype="float64").array

    def block(self) -> dict[str, Any]:
        raise DataError(f"column {self.name!r} is standardized: the columns likelihood needs a "
                        "table source's layout")


@dataclass
class Boolean:
    """0/1, one dimension; decoded as true where the block is >= 0.5."""

    name: str
    # The words the data wrote for false and true (["no", "yes"]), or None for real booleans.
    tokens: list[str] | None = None
    kind: ClassVar[str] = "boolean"
    type: ClassVar[str] = "boolean"
    width: ClassVar[int] = 1
    detail: ClassVar[str] = ""

    @classmethod
    def fit(cls, name: str, raw: Any) -> Boolean:
        """The tokens of the text column ``raw`` (the most common word for each value)."""
        from vaekit.data.table_types import FALSE, TRUE

        present = None if raw is None else raw[raw.notna()]
        if present is None or not all(isinstance(v, str) for v in present):
            return cls(name)  # real booleans (Parquet) or numbers stay booleans
        text = present.astype(str).str.strip()
        words = [text[text.str.lower().isin(side)].value_counts() for side in (FALSE, TRUE)]
        if any(len(w) == 0 for w in words):
            return cls(name)
        return cls(name, [str(w.index[0]) for w in words])

    def encode(self, values: np.ndarray) -> np.ndarray:
        return values[:, None].astype(np.float32)

    def decode(self, block: np.ndarray) -> Any:
        return self.written(np.where(np.isnan(block[:, 0]), np.nan, block[:, 0] >= 0.5))

    def written(self, x: np.ndarray) -> Any:
        """1/0/NaN -> the column's own words (yes/no), or nullable booleans."""
        pd = pandas()
        missing = np.isnan(x)
        if self.tokens is not None:
            return pd.Categorical.from_codes(np.where(missing, -1, x).astype(int), self.tokens)
        out = pd.array(np.nan_to_num(x) >= 0.5, dtype="boolean")
        out[missing] = pd.NA
        return out

    def block(self) -> dict[str, Any]:
        return {"kind": "boolean"}


Column = Continuous | Standardized | Boolean | Categorical
KINDS: dict[str, type] = {c.kind: c for c in (Continuous, Standardized, Boolean, Categorical)}


def to_json(col: Column) -> dict[str, Any]:
    return {"kind": col.kind, **asdict(col)}


def column_from_json(data: Any) -> Column:
    """A column from its JSON; ValueError when the JSON is not a column's."""
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise ValueError(f"not a column description: {str(data)[:60]}")
    fields = {k: v for k, v in data.items() if k != "kind"}
    col = KINDS[data["kind"]](**fields)
    numbers = [v for value in fields.values() for v in (value if isinstance(value, list) else [value])
               if isinstance(v, float)]
    if not all(math.isfinite(v) for v in numbers):
        raise ValueError(f"column {col.name!r}: non-finite parameters")
    if col.width < 1:
        raise ValueError(f"column {col.name!r}: an empty block")
    return col
