"""data.mmap maps a .npy file instead of reading it, and trains from the mapping."""

import numpy as np
import pytest

import vaekit
from vaekit.config.schema import DataConfig
from vaekit.data import load_data
from vaekit.errors import DataError


def _write(path, n=200):
    x = (np.random.default_rng(0).random((n, 8, 8)) * 255).astype(np.uint8)
    np.save(path, x)
    return x


def test_mmap_views_the_file_without_copying_it(tmp_path):
    path = tmp_path / "x.npy"
    x = _write(path)
    ds = load_data(DataConfig(name="arrays", path=str(path), mmap=True, test_fraction=0.25))
    # Validation is the last 10% of the training rows: slices of the mapping, like the others.
    assert ds.train.shape == (135, 1, 8, 8) and ds.val.shape == (15, 1, 8, 8)
    assert ds.test.shape == (50, 1, 8, 8)
    assert np.array_equal(ds.test[:, 0].numpy(), x[150:])
    assert np.array_equal(ds.val[:, 0].numpy(), x[135:150])
    # A mapping, not a copy: a change written to the file shows through the loaded tensor.
    header = path.stat().st_size - x.nbytes
    with open(path, "r+b") as f:
        f.seek(header)
        f.write(bytes([x[0, 0, 0] ^ 0xFF]))
    assert int(ds.train[0, 0, 0, 0]) == x[0, 0, 0] ^ 0xFF


def test_training_from_a_mapped_file(tmp_path):
    path = tmp_path / "x.npy"
    _write(path)
    run = vaekit.train({"data": {"name": "arrays", "path": str(path), "mmap": True},
                        "model": {"hidden": [16], "latent_dim": 2,
                                  "likelihood": "continuous_bernoulli"},
                        "train": {"epochs": 1}}, out=tmp_path / "r")
    assert np.isfinite(float(run.metrics[-1]["val_loss"]))


def test_mmap_needs_uint8_npy_images(tmp_path):
    np.save(tmp_path / "f.npy", np.zeros((10, 8, 8), np.float32))
    with pytest.raises(DataError, match="uint8 images"):
        load_data(DataConfig(name="arrays", path=str(tmp_path / "f.npy"), mmap=True))
    np.savez(tmp_path / "z.npz", x=np.zeros((10, 8, 8), np.uint8))
    with pytest.raises(DataError, match="needs an .npy"):
        load_data(DataConfig(name="arrays", path=str(tmp_path / "z.npz"), mmap=True))
