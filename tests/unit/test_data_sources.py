"""Built-in sources (fashion-mnist, mnist, cifar10) read from local files; no network."""

from __future__ import annotations

import io
import os
import pickle
import tarfile
import time
from pathlib import Path

import numpy as np
import pooch
import pytest
import requests
import torch

from vaekit import registry
from vaekit.config.schema import DataConfig
from vaekit.data import load_data
from vaekit.data.fashion_mnist import SYSTEM_DIR
from vaekit.data.idx import write_idx
from vaekit.errors import DataError


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def offline(self: object, url: str, output_file: object, pooch: object) -> None:
        raise requests.ConnectionError(f"network disabled in tests: {url}")

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", offline)
    monkeypatch.setenv("VAEKIT_CACHE", str(tmp_path / "cache"))


def test_registered_names() -> None:
    names = registry.names("data")
    assert {"fashion-mnist", "mnist", "cifar10", "arrays", "folder", "csv"} <= set(names)


@pytest.mark.skipif(not SYSTEM_DIR.is_dir(), reason=f"{SYSTEM_DIR} not on this machine")
def test_real_fashion_mnist() -> None:
    start = time.perf_counter()
    ds = load_data(DataConfig(name="fashion-mnist", download=False))
    assert time.perf_counter() - start < 2.0
    # The published protocol: 50,000 to train, the last 10,000 of the 60,000 to validate.
    assert ds.train.shape == (50000, 1, 28, 28) and ds.val.shape == (10000, 1, 28, 28)
    assert ds.test.shape == (10000, 1, 28, 28)
    assert ds.train.dtype == torch.uint8 and ds.test_is_official and ds.kind == "image"
    assert ds.train_labels is not None and ds.test_labels is not None
    assert ds.train_labels.dtype == torch.int64
    assert torch.cat([ds.train_labels, ds.val_labels]).bincount().tolist() == [6000] * 10
    assert ds.test_labels.bincount().tolist() == [1000] * 10
    assert ds.classes is not None and ds.classes[0] == "T-shirt/top" and len(ds.classes) == 10
    assert int(ds.train.max()) == 255 and int(ds.train.min()) == 0


def write_fake_mnist(folder: Path, gz: bool = True) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    x = rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    y = np.array([0, 1, 2, 3, 9, 5], dtype=np.uint8)
    suffix = ".gz" if gz else ""
    for prefix, sl in (("train", slice(0, 4)), ("t10k", slice(4, 6))):
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", x[sl])
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", y[sl])
    return x, y


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_from_user_folder_is_not_hash_checked(tmp_path: Path, gz: bool) -> None:
    x, y = write_fake_mnist(tmp_path / "mnist", gz=gz)
    ds = load_data(DataConfig(name="mnist", path=str(tmp_path / "mnist")))
    # Four training images: too few for the protocol's 10,000, so the last 2 (the minimum).
    assert ds.train.shape == (2, 1, 28, 28) and ds.test.shape == (2, 1, 28, 28)
    assert np.array_equal(ds.val[:, 0].numpy(), x[2:4])
    assert np.array_equal(ds.test[:, 0].numpy(), x[4:])
    assert ds.test_labels is not None and ds.test_labels.tolist() == y[4:].tolist() == [9, 5]
    assert ds.test_is_official and ds.classes == [str(i) for i in range(10)]


def test_mnist_folder_with_missing_or_truncated_file(tmp_path: Path) -> None:
    write_fake_mnist(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz"):
        load_data(DataConfig(name="mnist", path=str(tmp_path)))
    path.unlink()
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz not found"):
        load_data(DataConfig(name="mnist", path=str(tmp_path)))


def test_mnist_download_failure_and_cached_fakes_fail_hash(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"could not download train-images.*data\.path"):
        load_data(DataConfig(name="mnist"))
    # Fake files placed in the cache are hash-checked (unlike a user's data.path folder).
    write_fake_mnist(tmp_path / "cache" / "mnist")
    with pytest.raises(DataError, match="known hash"):
        load_data(DataConfig(name="mnist", download=False))


def _batch(n: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    labels = [int(v) for v in rng.integers(0, 10, size=n)]
    return pickle.dumps({"batch_label": "x", "data": data, "labels": labels}, protocol=4)


def write_fake_cifar(root: Path, batches: dict[str, bytes] | None = None) -> Path:
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = batches or {name: _batch(2, i) for i, name in enumerate(names)}
    root.mkdir(parents=True, exist_ok=True)
    tar_path = root / "cifar-10-python.tar.gz"
    with tarfile.open(tar_path, "w:gz") as tar:
        for name, blob in batches.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return tar_path


def test_cifar10_from_tarball_folder_or_extracted(tmp_path: Path) -> None:
    tar_path = write_fake_cifar(tmp_path / "dl")
    for path in (tmp_path / "dl", tar_path):
        ds = load_data(DataConfig(name="cifar10", path=str(path)))
        assert ds.train.shape == (8, 3, 32, 32) and ds.test.shape == (2, 3, 32, 32)
        assert ds.val.shape == (2, 3, 32, 32)  # ten images: 10% (at least 2), not 5,000
        assert ds.train.dtype == torch.uint8 and ds.test_is_official
        assert ds.classes is not None and ds.classes[0] == "airplane"
    extracted = tmp_path / "ex" / "cifar-10-batches-py"
    extracted.mkdir(parents=True)
    with tarfile.open(tar_path) as tar:
        for member in tar.getmembers():
            blob = tar.extractfile(member)
            assert blob is not None
            (extracted / Path(member.name).name).write_bytes(blob.read())
    ds2 = load_data(DataConfig(name="cifar10", path=str(tmp_path / "ex")))
    assert torch.equal(ds2.train, ds.train) and torch.equal(ds2.test_labels, ds.test_labels)
    expected = np.frombuffer(pickle.loads(_batch(2, 5))["data"], dtype=np.uint8)
    assert np.array_equal(ds.test.numpy().reshape(-1), expected)


class _Evil:
    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.target),))


def test_cifar10_refuses_pickled_code(tmp_path: Path) -> None:
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {name: _batch(2, i) for i, name in enumerate(names)}
    batches["data_batch_3"] = pickle.dumps({"data": _Evil(tmp_path / "pwned"), "labels": []})
    write_fake_cifar(tmp_path / "dl", batches)
    with pytest.raises(DataError, match="data_batch_3.*refused global"):
        load_data(DataConfig(name="cifar10", path=str(tmp_path / "dl")))
    assert not (tmp_path / "pwned").exists()


def test_cifar10_corrupt_tarball_and_missing(tmp_path: Path) -> None:
    tar_path = write_fake_cifar(tmp_path)
    tar_path.write_bytes(tar_path.read_bytes()[:100])
    with pytest.raises(DataError, match=r"cifar-10-python\.tar\.gz"):
        load_data(DataConfig(name="cifar10", path=str(tmp_path)))
    with pytest.raises(DataError, match="cifar-10-batches-py"):
        load_data(DataConfig(name="cifar10", path=str(tmp_path / "nowhere")))
    with pytest.raises(DataError, match=r"data\.download=false"):
        load_data(DataConfig(name="cifar10", download=False))


def test_the_digits_are_scikit_learns_own_read_without_importing_it():
    from sklearn.datasets import load_digits as sklearn_digits

    from vaekit.data.digits import _read_digits

    x, y = _read_digits()
    ref = sklearn_digits()
    assert torch.equal(x, torch.as_tensor(ref.images, dtype=torch.float32).div_(16).unsqueeze(1))
    assert torch.equal(y, torch.as_tensor(ref.target))
