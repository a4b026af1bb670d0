"""The validation split: carved once, here, out of the training split every source returns.

Choose on validation, report on test: the per-epoch curve, early stopping and every choice a
user makes from them read the validation split; only ``vaekit evaluate`` (and what the user
asks for) reads test. A data set whose published protocol defines the split takes it (MNIST and
Fashion-MNIST: the last 10,000 of the 60,000 training images); any other gets a seeded subset
of its training split, 10% unless ``data.val_size`` says otherwise.
"""

from __future__ import annotations

import torch

from vaekit.data.base import Dataset
from vaekit.data.validate import MIN_EXAMPLES
from vaekit.errors import DataError

# The fraction of the training split a data set without a protocol sets aside.
DEFAULT_FRACTION = 0.1
# Kept apart from the test split's seed, so the two splits are drawn independently.
_SEED_OFFSET = 7919


def validation_count(n_train: int, size: int | float | str, protocol: int | None) -> int:
    """How many of ``n_train`` training examples go to validation: ``size`` examples (an int),
    a fraction of them (a float in (0, 1)), or ``auto``: the data set's ``protocol`` size (where
    it leaves at least as many to train on: a small copy of the data set takes 10%), else 10%.
    Both splits keep the ``MIN_EXAMPLES`` every split needs (DataError otherwise)."""
    if size == "auto":
        if protocol is not None and protocol <= n_train // 2:
            n = protocol
        else:
            n = max(MIN_EXAMPLES, round(n_train * DEFAULT_FRACTION))
    elif isinstance(size, float):
        n = max(1, round(n_train * size))
    else:
        n = int(size)
    if n < MIN_EXAMPLES or n_train - n < MIN_EXAMPLES:
        raise DataError(f"data.val_size: {n} of the {n_train} training examples for validation "
                        f"leaves {n_train - n} to train on; each needs at least {MIN_EXAMPLES}, "
                        "so give more data or another data.val_size")
    return n


def validation_indices(n_train: int, size: int | float | str, seed: int,
                       protocol: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Positions in a training split of ``n_train`` examples that stay in training and that go
    to validation (``validation_count`` of them, a seeded subset; both sorted)."""
    n = validation_count(n_train, size, protocol)
    perm = torch.randperm(n_train, generator=torch.Generator().manual_seed(seed + _SEED_OFFSET))
    return perm[n:].sort().values, perm[:n].sort().values


def carve_validation(ds: Dataset, size: int | float | str | None, seed: int) -> Dataset:
    """Move ``validation_count`` examples of ``ds.train`` (and labels) into ``ds.val``, in place;
    returns ``ds``. ``size`` None leaves no validation split (runs made before it); a source that
    defines its validation split (``ds.val`` already set) keeps it."""
    if ds.val is not None:
        return ds
    if size is None:
        ds.val_protocol = "none: the per-epoch curve reads the test split (a run made before " \
                          "validation splits)"
        return ds
    n_train = len(ds.train)
    keep: slice | torch.Tensor
    val: slice | torch.Tensor
    if ds.validation == "last":  # slices: a memory-mapped split stays a view
        n = validation_count(n_train, size, ds.validation_size)
        keep, val = slice(0, n_train - n), slice(n_train - n, n_train)
        ds.val_protocol = f"the last {n:,} of the {n_train:,} training examples"
    else:
        keep, val = validation_indices(n_train, size, seed, ds.validation_size)
        ds.val_protocol = (f"{len(val):,} of the {n_train:,} training examples, drawn with seed "
                           f"{seed}")
    y = ds.train_labels
    ds.val, ds.val_labels = ds.train[val], None if y is None else y[val]
    ds.train, ds.train_labels = ds.train[keep], None if y is None else y[keep]
    return ds
