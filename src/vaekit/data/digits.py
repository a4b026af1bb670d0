"""scikit-learn's embedded 8x8 digits (1797 images, 17 grey levels): the default data set."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset, split_fraction
from vaekit.errors import DataError
from vaekit.registry import register


def _read_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The digits file scikit-learn ships (what ``sklearn.datasets.load_digits`` reads), read
    without importing scikit-learn: its import chain costs seconds in every process."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise DataError("the digits data set needs scikit-learn: pip install scikit-learn")
    table = np.loadtxt(Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz",
                       delimiter=",", dtype=np.float32)
    x = torch.from_numpy(table[:, :-1].reshape(-1, 1, 8, 8) / 16.0)
    return x, torch.from_numpy(table[:, -1].astype(np.int64))


@register("data", "digits")
def load_digits(cfg: DataConfig) -> Dataset:
    """(N, 1, 8, 8) float32 in [0, 1] (the 0..16 counts divided by 16); a seeded held-out split.
    Its 17 grey levels get a discrete likelihood over exactly those levels."""
    x, y = _read_digits()
    train_idx, test_idx = split_fraction(len(x), cfg.test_fraction, cfg.split_seed)
    return Dataset(
        name="digits",
        train=x[train_idx],
        test=x[test_idx],
        kind="image",
        train_labels=y[train_idx],
        test_labels=y[test_idx],
        classes=[str(i) for i in range(10)],
        likelihood=("discretized_logistic", {"levels": 17}),
    )
