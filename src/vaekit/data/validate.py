"""Checks run once when data is loaded: shape, dtype, finite values, and what the modality
checks (its layout, the range of pixels)."""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.data.base import Dataset
from vaekit.data.modalities import Modality, modality
from vaekit.errors import DataError

# What a split needs for its statistics and pictures: variances, standard errors, pairs.
MIN_EXAMPLES = 2


def _check_split(name: str, split: str, x: Tensor, modality: Modality,
                 missing_cells: bool = False) -> None:
    where = f"data set {name!r}, {split} split"
    if x.ndim < 2 or x.shape[0] == 0:
        raise DataError(f"{where}: expected a batch of examples, got shape {tuple(x.shape)}")
    if x.shape[0] < MIN_EXAMPLES:
        raise DataError(f"{where}: {x.shape[0]} example(s); every split needs at least "
                        f"{MIN_EXAMPLES} (a variance across examples, the latent map, "
                        "interpolations), so give more data or a larger data.test_fraction or data.val_size")
    modality.check_layout(where, x)
    if x.dtype == torch.uint8:
        return
    if not x.dtype.is_floating_point:
        raise DataError(f"{where}: expected uint8 or float values, got {x.dtype}")
    # A source that models missing cells marks them NaN; anything else non-finite is an error.
    bad = torch.isinf(x) if missing_cells else ~torch.isfinite(x)
    if bad.any():
        first = int(bad.reshape(len(x), -1).any(1).nonzero()[0])
        raise DataError(f"{where}: {int(bad.sum())} non-finite values (NaN/Inf), first in "
                        f"example {first}; clean or drop those rows")
    modality.check_values(where, x)


def validate_dataset(ds: Dataset) -> None:
    """Raise DataError with one line naming the first problem found."""
    splits = [(name, *ds.split(name)) for name in ("train", "val", "test")
              if name != "val" or ds.val is not None]
    for split, x, _ in splits:
        _check_split(ds.name, split, x, modality(ds.kind), ds.missing_cells)
    for split, x, y in splits:
        if x.shape[1:] != ds.train.shape[1:]:
            raise DataError(f"data set {ds.name!r}: train examples {tuple(ds.train.shape[1:])} "
                            f"and {split} examples {tuple(x.shape[1:])} differ in shape")
        if y is not None and len(y) != len(x):
            raise DataError(f"data set {ds.name!r}, {split} split: {len(y)} labels for "
                            f"{len(x)} examples")
