"""A split of a run as the model sees it: preprocessed as the likelihood saw it in training,
with what evaluation states about it. ``RunContext.split`` and ``RunContext.eval_data`` give
one; so does ``prepare`` for a model and data given directly, and
``vaekit.artifacts.apply_data`` for a batch of a file's examples."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from vaekit.data import SPLITS, Dataset, heldout_tensor, load_data
from vaekit.data.modalities import for_shape, modality
from vaekit.data.preprocess import HELDOUT_BINARIZATION_SEED
from vaekit.errors import DataError, UserError


class IndexOutOfRange(UserError):
    """An example index beyond the end of a split."""


@dataclass
class Split:
    """``x``: (N, *shape) float as the likelihood sees it (binarized with the fixed held-out
    seed when the run binarizes); ``y``: (N,) labels or None; ``stored``: the same examples as
    stored (uint8 or float pixels, rows; for display and the pixel conventions); missing
    values are NaN in both (imputation fills them)."""

    name: str  # test, val, train, or "examples" (the examples of a file)
    x: Tensor
    y: Tensor | None
    stored: Tensor
    source: str | None  # the data set's name (or the file's), stated in eval.json
    binarization: str  # how x was binarized, stated in eval.json
    eight_bit: bool  # 8-bit pixels given to a continuous likelihood as x/255
    # log |dx_model/dx| per example (the standardization of table rows): added to the model's
    # log-densities, it gives log p(x) in the data's own units.
    log_jacobian: float = 0.0
    bits_per_dim: bool = True  # the modality reports bits/dim besides nats (pixels)
    # One id per example where the examples come from a file (its index, or name in a folder),
    # for what vaekit encode, score and impute write beside each; None for a run's split.
    ids: Sequence[str] | None = None

    def __len__(self) -> int:
        return len(self.x)

    def check_index(self, i: int, option: str) -> int:
        """``i`` as an index in 0..N-1 (negative counts from the end); IndexOutOfRange naming
        ``option`` when the split has no such example."""
        n = len(self.x)
        if not -n <= i < n:
            raise IndexOutOfRange(f"{option} {i}: the {self.name} split has {n} examples "
                                  f"(indices 0 to {n - 1})")
        return i % n


def describe_binarization(mode: str) -> str:
    if mode == "dynamic":
        return f"dynamic (evaluated on one fixed draw x ~ Bernoulli(grey level), seed " \
               f"{HELDOUT_BINARIZATION_SEED})"
    return {"threshold": "threshold at 0.5", "none": "none"}.get(mode, mode)


def prepare(model: Any, data: Any = None, split: str = "test", binarize: str | None = None,
            device: torch.device | str = "cpu") -> Split:
    """``data``: None (the model's own data set, from the config of a loaded run), a Dataset, or
    a tensor (N, *shape) of uint8 pixels or floats. ``binarize`` defaults to the run's choice."""
    if split not in SPLITS:
        raise UserError(f"unknown split {split!r} (choose {', '.join(SPLITS)})")
    cfg = model.config
    if data is None:
        if cfg is None:
            raise UserError("the model has no run config: pass the data to evaluate")
        data = load_data(cfg.data)
    if isinstance(data, Dataset):
        raw, labels = data.split(split)
        name, kind, log_jacobian = data.name, modality(data.kind), data.log_jacobian
        missing_cells = data.missing_cells
    else:
        raw, labels, name, kind = torch.as_tensor(data), None, None, for_shape(model.shape)
        log_jacobian, missing_cells = 0.0, False
    if tuple(raw.shape[1:]) != tuple(model.shape):
        raise DataError(f"data of shape {tuple(raw.shape[1:])} per example, the model expects "
                        f"{tuple(model.shape)}")
    mode = binarize or (cfg.data.binarize if cfg is not None else "none")
    if mode == "auto":
        mode = "dynamic" if model.likelihood.binary_only else "none"
    mode = kind.input_binarization(mode)
    x = heldout_tensor(raw, mode, torch.device(device))
    # NaN is a missing cell where the data model them (left out of the likelihood).
    if bool((x.isinf() if missing_cells else ~torch.isfinite(x)).any()):
        raise DataError(f"the {split} split holds NaN or infinite values")
    model.likelihood.check_support(raw, binarized=mode != "none")
    y = None if labels is None else labels.to(device)
    return Split(split, x, y, raw, name, describe_binarization(mode),
                 eight_bit=raw.dtype == torch.uint8 and mode == "none",
                 log_jacobian=log_jacobian, bits_per_dim=kind.bits_per_dim)
