"""Examples of a file in the file's own order, unsplit: what a trained run is applied to.

Training splits a file into train and held-out examples; ``vaekit encode``, ``score`` and
``impute`` read every example of a new file instead, in order, each with an id (its index in
the file, or ``train/i`` and ``test/i`` for a file that stores a split, or its file name in an
image folder). Missing values are NaN in float arrays; they are refused unless the caller
models them (``allow_missing``). An ``.npy`` file of uint8 or float32 examples is memory-mapped,
so files larger than RAM are read a batch at a time; its values are checked as each batch is
(``Examples.checked``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np
import torch
from torch import Tensor

from vaekit.data.arrays import _CHANNELS, _channels_last, _examples
from vaekit.data.folder import read_folder
from vaekit.data.numpy_files import _labels, _load, _pick
from vaekit.errors import DataError
from vaekit.inputs import check_regular


class IndexIds(Sequence[str]):
    """The ids ``prefix + str(i)`` of ``n`` examples, made when asked for: the ids of a file
    larger than RAM take no memory."""

    def __init__(self, n: int, prefix: str = "") -> None:
        self.n, self.prefix = n, prefix

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [f"{self.prefix}{j}" for j in range(self.n)[i]]
        return f"{self.prefix}{range(self.n)[i]}"


@dataclass
class Examples:
    """``x``: (N, *shape) as stored (uint8 pixels, float pixels in [0, 1], or rows in their own
    units), NaN where a value is missing; ``y``: (N,) labels or None; ``ids``: one per example.
    ``model_space``: the rows are already as the model sees them (a run's own split of a table,
    a table file through the run's codec). ``checked``: False for values not read yet (a
    memory-mapped file): NaN and infinities are then refused batch by batch, as each is
    prepared, rather than when the file is read."""

    x: Tensor
    y: Tensor | None
    ids: Sequence[str]
    source: str
    model_space: bool = False
    frame: Any = None  # a table file's cells as read (pandas), for imputation to keep them
    checked: bool = True

    def __len__(self) -> int:
        return len(self.x)


def _mapped_npy(path: Path) -> Examples | None:
    """A .npy of uint8 or float32 examples read lazily (copy-on-write map: the file is never
    modified): (N, H, W) or channels-first (N, C, H, W) images, float32 (N, D) rows; None for
    any other file, which is read whole."""
    try:
        a = np.load(path, mmap_mode="c", allow_pickle=False)
    except (ValueError, OSError):
        return None  # not mappable: read it whole, which gives the precise error
    images = a.ndim == 3 or (a.ndim == 4 and a.shape[1] in _CHANNELS
                             and not _channels_last(a.shape))
    rows = a.ndim == 2 and a.dtype == np.float32
    if not (a.flags.c_contiguous and (rows or (images and a.dtype in (np.uint8, np.float32)))):
        return None
    if a.ndim == 3:
        a = a[:, None]
    return Examples(torch.from_numpy(a), None, IndexIds(len(a)), str(path), checked=False)


def _checked(a: np.ndarray, where: str, allow_missing: bool) -> Tensor:
    """``_examples`` of ``a``; with ``allow_missing``, NaN values stay NaN (in the same layout)."""
    if not (allow_missing and np.issubdtype(a.dtype, np.floating)):
        return _examples(a, where)
    missing = np.isnan(a)
    out = _examples(np.where(missing, 0, a).astype(np.float32), where)
    out[_examples(missing.astype(np.float32), where) > 0] = float("nan")
    return out


def read_examples(path: str | Path, allow_missing: bool = False, image_size: int | None = None,
                  color: str = "grey") -> Examples:
    """Every example of an ``.npz``/``.npy`` file or an image folder (its images resized to
    ``image_size`` in ``color``), in order (DataError with one line when the file cannot be read
    as examples)."""
    path = Path(path).expanduser()
    if path.is_dir():
        x, y, members = read_folder(path, image_size, color)
        return Examples(x, y, [m.name for m in members], str(path))
    if path.suffix.lower() not in (".npz", ".npy"):
        raise DataError(f"{path}: expected an .npz or .npy file or an image folder")
    if not path.exists():
        raise DataError(f"{path}: no such file")
    check_regular(path)
    if path.suffix.lower() == ".npy" and not allow_missing:
        mapped = _mapped_npy(path)
        if mapped is not None:
            return mapped
    arrays = _load(path)
    split = _pick(arrays, path)
    if split is None:
        x = _checked(arrays["x"], str(path), allow_missing)
        y = _labels(arrays.get("y", arrays.get("labels")), len(x), f"{path} (labels)")
        return Examples(x, y, IndexIds(len(x)), str(path))
    parts = [(name, _checked(a, f"{path} ({name})", allow_missing), labels)
             for name, a, labels in (("train", split[0], split[2]), ("test", split[1], split[3]))]
    x = torch.cat([p[1] for p in parts])
    ys = [_labels(labels, len(xs), f"{path} ({name} labels)") for name, xs, labels in parts]
    y = torch.cat(ys) if all(v is not None for v in ys) else None  # type: ignore[arg-type]
    ids = [f"{name}/{i}" for name, xs, _ in parts for i in range(len(xs))]
    return Examples(x, y, ids, str(path))
