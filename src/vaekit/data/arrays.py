"""Numpy files: ``.npy`` (one array) or ``.npz`` (named arrays), never unpickled.

Accepted ``.npz`` keys (a ``.npy`` file is one ``x``):
  * ``x`` with optional labels ``y`` or ``labels``: split by ``data.test_fraction`` and
    ``data.split_seed``;
  * ``train`` and ``test`` (or Keras' ``x_train``/``x_test``) with optional ``train_labels``/
    ``test_labels`` (or ``y_train``/``y_test``): that split is used as given.
Shapes: (N, H, W) -> (N, 1, H, W) images; (N, C, H, W) or (N, H, W, C) with C in {1, 3, 4} ->
(N, C, H, W) images (if both fit, the smaller of the two is C; a tie means channels-first);
(N, D) -> table rows standardized with the train split's column mean and std, except counts:
a 2-D matrix of an integer dtype with no negative value, or an .npz ``counts`` array, is read by
the ``counts`` source (``vaekit.data.counts``), which never standardizes.
uint8 images stay uint8 in [0, 255]; float images must already lie in [0, 1].

``data.mmap=true`` memory-maps a ``.npy`` of uint8 images, (N, H, W) or (N, C, H, W), instead of
reading it: pages are read as batches touch them, so a data set larger than RAM can train. The
held-out split is then the last ``test_fraction`` of the rows (a contiguous view, no copy).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset, split_fraction
from vaekit.data.counts import arrays_counts, holds_counts
from vaekit.data.numpy_files import _labels, _load, _pick
from vaekit.errors import ConfigError, DataError
from vaekit.inputs import check_regular
from vaekit.registry import register

_CHANNELS = (1, 3, 4)


def standardize(train: Tensor, test: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(N, D) float32 rows -> (train, test, mean, std), by the train split's statistics.

    A constant column has std 0; it is divided by 1 instead (it becomes all zeros).
    """
    mean = train.mean(0)
    std = train.std(0, correction=0) if len(train) > 1 else torch.ones_like(mean)
    std = torch.where(std > 0, std, torch.ones_like(std))
    return (train - mean) / std, (test - mean) / std, mean, std


def _channels_last(shape: tuple[int, ...]) -> bool:
    """(N, H, W, C) rather than (N, C, H, W)? If both fit, the fewer channels win; ties: first."""
    first, last = shape[1] in _CHANNELS, shape[3] in _CHANNELS
    return last and (not first or shape[3] < shape[1])


def _examples(a: np.ndarray, where: str) -> Tensor:
    """One split's array -> (N, C, H, W) images or (N, D) float32 rows (see module docstring)."""
    if a.dtype == np.bool_:
        a = a.astype(np.float32)
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise DataError(f"{where}: dtype {a.dtype} is not numeric")
    if np.issubdtype(a.dtype, np.floating) and not np.isfinite(a).all():
        raise DataError(f"{where}: {int((~np.isfinite(a)).sum())} NaN/Inf values; clean them")
    if a.ndim == 2:
        return torch.from_numpy(a.astype(np.float32))
    if a.ndim == 3:
        a = a[:, None]
    elif a.ndim == 4 and _channels_last(a.shape):
        a = a.transpose(0, 3, 1, 2)
    elif a.ndim != 4 or a.shape[1] not in _CHANNELS:
        raise DataError(f"{where}: shape {a.shape} is not (N, D) rows nor (N, H, W), "
                        "(N, C, H, W) or (N, H, W, C) images with C in 1, 3, 4")
    if np.issubdtype(a.dtype, np.integer) and a.dtype != np.uint8:
        if a.size and (a.min() < 0 or a.max() > 255):
            raise DataError(f"{where}: integer pixels must lie in 0..255")
        a = a.astype(np.uint8)
    elif np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(a))


def _mapped(path: Path, cfg: DataConfig) -> Dataset:
    """A memory-mapped .npy of uint8 images, split into contiguous train/test views."""
    if path.suffix.lower() != ".npy":
        raise DataError(f"{path}: data.mmap needs an .npy file (an .npz cannot be mapped)")
    try:
        # Copy-on-write mapping: writable for torch, and the file is never modified.
        a = np.load(path, mmap_mode="c", allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (ValueError, OSError) as e:
        raise DataError(f"{path}: not a readable .npy file ({e})") from None
    if a.dtype != np.uint8 or a.ndim not in (3, 4) or (a.ndim == 4 and a.shape[1] not in _CHANNELS):
        raise DataError(f"{path}: data.mmap needs uint8 images (N, H, W) or (N, C, H, W), got "
                        f"{a.dtype} {a.shape}")
    x = torch.from_numpy(a if a.ndim == 4 else a[:, None])
    n_test = max(1, round(len(x) * cfg.test_fraction))
    return Dataset(name=path.name, train=x[:-n_test], test=x[-n_test:], kind="image",
                   meta={"source": str(path), "mmap": True}, validation="last")


@register("data", "arrays")
def load_arrays(cfg: DataConfig, mmap: bool = False) -> Dataset:
    """Images (N, C, H, W) uint8/float32, standardized (N, D) float32 rows, or counts (the
    ``counts`` source, for an integer matrix) from ``cfg.path``.

    ``mmap``: memory-map a uint8 .npy of images instead of reading it (data larger than RAM; the
    held-out split is then the last ``test_fraction`` of rows).
    """
    if not isinstance(mmap, bool):
        raise ConfigError(f"data.mmap: true or false, got {mmap!r}")
    if cfg.path is None:
        raise DataError("data source 'arrays' needs data.path (an .npz or .npy file)")
    path = Path(cfg.path).expanduser()
    check_regular(path)
    if mmap:
        return _mapped(path, cfg)
    arrays = _load(path)
    if holds_counts(arrays):
        return arrays_counts(arrays, path, cfg)
    split = _pick(arrays, path)
    if split is not None:
        x_tr, x_te, y_tr, y_te = split
        train, test = _examples(x_tr, f"{path} (train)"), _examples(x_te, f"{path} (test)")
        train_labels = _labels(y_tr, len(train), f"{path} (train labels)")
        test_labels = _labels(y_te, len(test), f"{path} (test labels)")
    else:
        x = _examples(arrays["x"], str(path))
        y = _labels(arrays.get("y", arrays.get("labels")), len(x), f"{path} (labels)")
        tr, te = split_fraction(len(x), cfg.test_fraction, cfg.split_seed)
        train, test = x[tr], x[te]
        train_labels, test_labels = (None, None) if y is None else (y[tr], y[te])
    ds = Dataset(name=path.name, train=train, test=test, kind="image", train_labels=train_labels,
                 test_labels=test_labels, test_is_official=split is not None,
                 meta={"source": str(path)})
    if train.ndim == 2:
        ds.kind = "table"
        ds.train, ds.test, ds.column_mean, ds.column_std = standardize(train, test)
        ds.columns = [f"x{i}" for i in range(train.shape[1])]
    return ds
