"""scikit-learn's embedded 8x8 digits (1797 images, 17 grey levels): the default data set."""

from __future__ import annotations

import torch

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset, split_fraction
from vaekit.registry import register


@register("data", "digits")
def load_digits(cfg: DataConfig) -> Dataset:
    """(N, 1, 8, 8) float32 in [0, 1] (the 0..16 counts divided by 16); a seeded held-out split.
    Its 17 grey levels get a discrete likelihood over exactly those levels."""
    from sklearn.datasets import load_digits as sk_load_digits

    bunch = sk_load_digits()
    x = torch.as_tensor(bunch.images, dtype=torch.float32).div_(16.0).unsqueeze(1)
    y = torch.as_tensor(bunch.target, dtype=torch.int64)
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
