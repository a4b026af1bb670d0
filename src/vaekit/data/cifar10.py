"""CIFAR-10: 50000 + 10000 colour 32x32 images of 10 object classes (the python version).

``data.path`` may be the folder holding ``cifar-10-python.tar.gz``, the tarball itself, the
extracted ``cifar-10-batches-py`` folder or its parent; such user files are not hash-checked.
Otherwise the tarball is downloaded into the cache and checked against the md5 published on
https://www.cs.toronto.edu/~kriz/cifar.html (also in torchvision's ``datasets/cifar.py``).
Batches are read straight from the tarball; nothing is extracted to disk.
"""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path
from typing import IO, Any

import numpy as np
import torch

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset
from vaekit.data.download import Remote, fetch_all
from vaekit.errors import DataError
from vaekit.registry import register

TARBALL = Remote("cifar-10-python.tar.gz", "md5:c58f30108f718f92721af3b95e74349a",
                 ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",))
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]

# The batches are Python pickles, and unpickling can run arbitrary code. Numpy cannot read
# them with allow_pickle=False, so we unpickle with an allow-list: a batch dict needs only
# the ndarray reconstructor, ndarray and dtype (plus builtin dict/list/str/int, which need no
# global lookup). Any other global (os.system, builtins.eval, ...) is refused.
_RECONSTRUCT = np.zeros(1).__reduce__()[0]
_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _BatchUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refused global {module}.{name}") from None


def _read_batch(f: IO[bytes], where: str) -> tuple[np.ndarray, np.ndarray]:
    """One batch -> (n, 3, 32, 32) uint8 images and (n,) int64 labels."""
    try:
        # latin1: the batches were pickled by Python 2 (numpy's advice for such pickles).
        batch = _BatchUnpickler(f, encoding="latin1").load()
        data = np.asarray(batch["data"], dtype=np.uint8)
        labels = np.asarray(batch["labels"], dtype=np.int64)
    except Exception as e:  # UnpicklingError, EOFError, KeyError, TypeError, ... from bad data
        raise DataError(f"CIFAR-10 batch {where} is corrupt or not a CIFAR-10 batch ({e})") from None
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise DataError(f"CIFAR-10 batch {where}: data {data.shape} / {len(labels)} labels, "
                        "expected (n, 3072) and n labels")
    if len(labels) and (labels.min() < 0 or labels.max() >= len(CLASSES)):
        raise DataError(f"CIFAR-10 batch {where}: labels outside 0..9")
    return data.reshape(-1, 3, 32, 32), labels


_Batches = dict[str, tuple[np.ndarray, np.ndarray]]


def _read_tar(path: Path) -> _Batches:
    """Every batch found in the tarball, by file name (member paths are never extracted)."""
    out: _Batches = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if member.isfile() and name in (*TRAIN_BATCHES, "test_batch"):
                    f = tar.extractfile(member)
                    if f is not None:
                        out[name] = _read_batch(io.BytesIO(f.read()), f"{name} in {path}")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise DataError(f"CIFAR-10 archive {path} is corrupt or truncated ({e}); delete it and "
                        "download it again") from None
    return out


def _read_dir(folder: Path) -> _Batches:
    out: _Batches = {}
    for name in (*TRAIN_BATCHES, "test_batch"):
        if (folder / name).is_file():
            with (folder / name).open("rb") as f:
                out[name] = _read_batch(f, str(folder / name))
    return out


def _read_user_path(path: Path) -> _Batches:
    for candidate in (path, path / TARBALL.filename):
        if candidate.is_file():
            return _read_tar(candidate)
    for folder in (path, path / FOLDER):
        if (folder / "test_batch").is_file():
            return _read_dir(folder)
    raise DataError(f"cifar10: no {TARBALL.filename} or {FOLDER}/ in {path}; point data.path to "
                    "the folder holding either")


@register("data", "cifar10")
def load_cifar10(cfg: DataConfig) -> Dataset:
    """(N, 3, 32, 32) uint8 RGB in [0, 255], labels 0..9 (``CLASSES``), the official test split."""
    if cfg.path is not None:
        source = Path(cfg.path).expanduser()
        batches = _read_user_path(source)
    else:
        source = fetch_all(cfg, "cifar10", [TARBALL]) / TARBALL.filename  # hash checked here
        batches = _read_tar(source)
    missing = [n for n in (*TRAIN_BATCHES, "test_batch") if n not in batches]
    if missing:
        raise DataError(f"cifar10: {', '.join(missing)} missing in {source}")
    train = [batches[n] for n in TRAIN_BATCHES]
    x_test, y_test = batches["test_batch"]
    return Dataset(
        name="cifar10",
        train=torch.from_numpy(np.concatenate([x for x, _ in train])),
        test=torch.from_numpy(np.ascontiguousarray(x_test)),
        kind="image",
        train_labels=torch.from_numpy(np.concatenate([y for _, y in train])),
        test_labels=torch.from_numpy(y_test),
        test_is_official=True,
        classes=list(CLASSES),
        validation="last",  # the usual protocol: train on 45,000, select on the last 5,000
        validation_size=5_000,
        meta={"source": str(source)},
    )
