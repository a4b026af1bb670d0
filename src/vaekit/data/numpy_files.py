"""Reading ``.npy``/``.npz`` files (never unpickled) and picking their splits and labels:
shared by the ``arrays`` and ``counts`` sources and by the files a run is applied to."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from vaekit.errors import DataError

_SPLIT_KEYS = (("train", "test", "train_labels", "test_labels"),
               ("x_train", "x_test", "y_train", "y_test"))


def _load(path: Path) -> dict[str, np.ndarray]:
    """Every array of the file by key, read with ``allow_pickle=False``."""
    magic = {".npy": b"\x93NUMPY", ".npz": b"PK"}.get(path.suffix.lower())
    try:
        with open(path, "rb") as f:
            head = f.read(6)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e.strerror})") from None
    if magic is not None and not head.startswith(magic):
        # numpy would read unknown bytes as a pickle and blame pickling: say what is wrong.
        raise DataError(f"{path}: not a numpy {path.suffix.lower()} file (it does not start "
                        "with the format's header)")
    try:
        if path.suffix.lower() == ".npy":
            return {"x": np.load(path, allow_pickle=False)}
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise DataError(f"{path}: holds Python objects (pickled); save plain numeric arrays"
                            ) from None
        raise DataError(f"{path}: not a readable numpy file ({e})") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise DataError(f"{path}: corrupt or not a numpy file ({e})") from None


def _labels(y: np.ndarray | None, n: int, where: str) -> Tensor | None:
    if y is None:
        return None
    if y.ndim != 1 or len(y) != n or not np.issubdtype(y.dtype, np.integer) or (y < 0).any():
        raise DataError(f"{where}: labels must be {n} non-negative integers, got {y.dtype} "
                        f"{y.shape}")
    return torch.from_numpy(y.astype(np.int64))


_Split = tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]


def _pick(arrays: dict[str, np.ndarray], path: Path) -> _Split | None:
    """(train, test, train_labels, test_labels) if the file has a train/test split."""
    for tr, te, ytr, yte in _SPLIT_KEYS:
        if tr in arrays and te in arrays:
            return arrays[tr], arrays[te], arrays.get(ytr), arrays.get(yte)
    if "x" not in arrays:
        raise DataError(f"{path}: keys {sorted(arrays)}; expected x (+ y/labels) or train and "
                        "test (+ train_labels/test_labels)")
    return None
