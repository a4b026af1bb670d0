"""Count data: rows of non-negative integers (gene expression, event or word counts).

The model sees the counts as they are: never standardized, so their log-Jacobian is 0 and every
number is in nats per example of the counts. ``model.likelihood=auto`` is the negative binomial
(``poisson`` and ``zinb`` are the other count likelihoods); its encoder reads log1p(x).

Where counts come from:
  * ``data.name=counts`` with ``data.path`` an ``.npy``/``.npz`` (the keys of the ``arrays``
    source, or ``counts`` for the matrix), a Parquet file of integer columns, or an ``.h5ad``
    file read with the optional ``anndata`` package (``pip install vaekit[counts]``; its ``X``,
    or the layer ``data.layer`` names);
  * the ``arrays`` source (``--data file.npy``) hands a file to this one when its matrix is 2-D
    of an integer dtype with no negative value, or when an ``.npz`` holds a ``counts`` array. A
    2-D float array stays rows to standardize: name the source (``data.name=counts``) for counts
    stored as floats.
A value that is not a count is one error naming the file, the row and the column (from 0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset, split_fraction
from vaekit.data.count_files import read_h5ad, read_parquet
from vaekit.data.numpy_files import _labels, _load, _pick
from vaekit.errors import ConfigError, DataError
from vaekit.registry import register

LIKELIHOOD = "negative_binomial"  # what model.likelihood=auto is for counts


def holds_counts(arrays: dict[str, np.ndarray]) -> bool:
    """Whether the arrays of an .npy/.npz are count data: a ``counts`` key, or a 2-D matrix
    (``x``, or ``train`` and ``test``) of an integer dtype with no negative value."""
    if "counts" in arrays:
        return True
    mats = [arrays[k] for k in ("x", "train", "test", "x_train", "x_test") if k in arrays]
    return bool(mats) and all(a.ndim == 2 and np.issubdtype(a.dtype, np.integer)
                              and (a.size == 0 or a.min() >= 0) for a in mats)


def count_matrix(a: np.ndarray, where: str, columns: list[str] | None = None) -> torch.Tensor:
    """A 2-D array of counts as float32 (exact up to 2^24); DataError naming the first value
    that is not a non-negative integer by its row and column (from 0, or the column's name)."""
    if a.ndim != 2:
        raise DataError(f"{where}: counts are a matrix (N examples, D features), got shape {a.shape}")
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)
            or a.dtype == np.bool_):
        raise DataError(f"{where}: dtype {a.dtype} is not numeric")
    bad = (a < 0) if not np.issubdtype(a.dtype, np.floating) else \
        ~np.isfinite(a) | (a < 0) | (a != np.round(a))
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        name = f"column {columns[col]!r}" if columns else f"column {col}"
        raise DataError(f"{where}: row {row}, {name}: {a[row, col]:g} is not a count (counts are "
                        "non-negative integers)")
    if a.size and float(a.max()) > 2**24:
        raise DataError(f"{where}: a count of {float(a.max()):g} is above 2^24, which float32 "
                        "cannot hold exactly")
    return torch.from_numpy(a.astype(np.float32))


def library_prior(train: torch.Tensor) -> dict[str, float]:
    """The log-normal of library sizes (row totals) that draws of new examples use: mean and
    std of log l over ``train`` (an all-zero row counted as l = 1)."""
    log_l = torch.log(train.double().sum(1).clamp(min=1))
    std = float(log_l.std(correction=0)) if len(log_l) > 1 else 0.0
    return {"library_log_mean": float(log_l.mean()), "library_log_std": std}


def counts_dataset(name: str, train: torch.Tensor, test: torch.Tensor, source: str,
                   train_labels: torch.Tensor | None = None, test_labels: torch.Tensor | None = None,
                   columns: list[str] | None = None, official: bool = False) -> Dataset:
    """The Dataset of count rows: kind ``counts``, the negative binomial declared with the
    library-size prior fitted on ``train`` (the validation split is carved from it later: the
    prior never sees test)."""
    d = train.shape[1]
    prior = library_prior(train)
    zeros = float((train == 0).double().mean()) if train.numel() else 0.0
    summary = (f"counts: {len(train) + len(test):,} rows x {d:,} features, {zeros:.0%} zeros, "
               f"library size median {float(train.sum(1).median()):,.0f}")
    return Dataset(
        name=name, train=train, test=test, kind="counts", train_labels=train_labels,
        test_labels=test_labels, test_is_official=official,
        columns=columns or [f"x{i}" for i in range(d)],
        # The rows map back to the file as they are: mean 0 and std 1, the identity.
        column_mean=torch.zeros(d), column_std=torch.ones(d),
        likelihood=(LIKELIHOOD, prior), summary=summary, meta={"source": source},
    )


def arrays_counts(arrays: dict[str, np.ndarray], path: Path, cfg: DataConfig) -> Dataset:
    """Counts from the arrays of an .npy/.npz (``counts`` or the ``arrays`` source's keys)."""
    if "counts" in arrays:
        arrays = {"x": arrays["counts"], **{k: v for k, v in arrays.items() if k != "x"}}
    split = _pick(arrays, path)
    if split is not None:
        tr_x, te_x, tr_y, te_y = split
        train, test = count_matrix(tr_x, f"{path} (train)"), count_matrix(te_x, f"{path} (test)")
        if train.shape[1] != test.shape[1]:
            raise DataError(f"{path}: train has {train.shape[1]} features, test {test.shape[1]}")
        return counts_dataset(path.name, train, test, str(path),
                              _labels(tr_y, len(train), f"{path} (train labels)"),
                              _labels(te_y, len(test), f"{path} (test labels)"), official=True)
    x = count_matrix(arrays["x"], str(path))
    y = _labels(arrays.get("y", arrays.get("labels")), len(x), f"{path} (labels)")
    tr, te = split_fraction(len(x), cfg.test_fraction, cfg.split_seed)
    return counts_dataset(path.name, x[tr], x[te], str(path),
                          None if y is None else y[tr], None if y is None else y[te])


@register("data", "counts")
def load_counts(cfg: DataConfig, layer: str | None = None) -> Dataset:
    """Rows of counts from ``cfg.path`` (.npy, .npz, .parquet or .h5ad; see the module);
    ``layer``: the AnnData layer to read instead of ``X``."""
    if cfg.path is None:
        raise DataError("data source 'counts' needs data.path (.npy, .npz, .parquet or .h5ad)")
    if layer is not None and not isinstance(layer, str):
        raise ConfigError(f"data.layer: the name of an AnnData layer, got {layer!r}")
    path = Path(cfg.path).expanduser()
    suffix = path.suffix.lower()
    if suffix in (".npy", ".npz"):
        return arrays_counts(_load(path), path, cfg)
    if suffix == ".parquet":
        a, columns = read_parquet(path)
    elif suffix == ".h5ad":
        a, columns = read_h5ad(path, layer)
    else:
        raise DataError(f"{path}: counts are read from .npy, .npz, .parquet or .h5ad files")
    x = count_matrix(a, str(path), columns)
    tr, te = split_fraction(len(x), cfg.test_fraction, cfg.split_seed)
    return counts_dataset(path.name, x[tr], x[te], str(path), columns=columns)
