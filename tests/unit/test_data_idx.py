"""IDX reader: round trips, and corrupt files give a DataError naming the file."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
import torch

from vaekit.data.idx import read_idx, write_idx
from vaekit.errors import DataError


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    a = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    write_idx(tmp_path / name, a)
    x = read_idx(tmp_path / name)
    assert x.dtype == torch.uint8 and x.shape == (7, 5, 3)
    assert np.array_equal(x.numpy(), a)
    x[0, 0, 0] = 1  # writable (no warning, no read-only buffer)


def test_labels_round_trip_and_gzip_detected_by_content(tmp_path: Path) -> None:
    labels = np.arange(10, dtype=np.uint8)
    write_idx(tmp_path / "labels.gz", labels)
    (tmp_path / "labels.gz").rename(tmp_path / "labels-no-suffix")
    assert read_idx(tmp_path / "labels-no-suffix").tolist() == list(range(10))


def test_truncated_raw_file(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    write_idx(path, np.zeros((4, 3, 3), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(DataError, match="train-images-idx3-ubyte.*truncated"):
        read_idx(path)


def test_truncated_gzip(tmp_path: Path) -> None:
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    payload = bytes([0, 0, 8, 1]) + (5000).to_bytes(4, "big") + bytes(range(256)) * 20
    data = gzip.compress(payload[:5008])
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz"):
        read_idx(path)


def test_not_gzip_garbage_and_bad_magic(tmp_path: Path) -> None:
    path = tmp_path / "junk.gz"
    path.write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(DataError, match="junk.gz"):
        read_idx(path)
    path = tmp_path / "junk"
    path.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(DataError, match="bad magic"):
        read_idx(path)


def test_unsupported_dtype_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "floats"
    path.write_bytes(bytes([0, 0, 0x0D, 1]) + (1).to_bytes(4, "big") + b"\0\0\0\0")
    with pytest.raises(DataError, match="0x0d"):
        read_idx(path)
    with pytest.raises(DataError, match="not found"):
        read_idx(tmp_path / "absent.gz")
