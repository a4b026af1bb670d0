"""User files: numpy arrays, image folders and CSV tables (through ``load_data``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from vaekit.config.schema import DataConfig
from vaekit.data import load_data
from vaekit.errors import DataError


def arrays(path: Path, **kw: object) -> DataConfig:
    return DataConfig(name="arrays", path=str(path), **kw)


def test_npy_3d_uint8_becomes_channels_first(tmp_path: Path) -> None:
    x = np.random.default_rng(0).integers(0, 256, size=(10, 5, 6), dtype=np.uint8)
    np.save(tmp_path / "x.npy", x)
    ds = load_data(arrays(tmp_path / "x.npy", test_fraction=0.2, split_seed=3))
    # 10 = 8 train (of which 2 validation, the default's minimum) + 2 test
    assert ds.train.shape == (6, 1, 5, 6) and ds.val.shape == (2, 1, 5, 6)
    assert ds.test.shape == (2, 1, 5, 6)
    assert ds.train.dtype == torch.uint8 and ds.kind == "image" and not ds.test_is_official
    again = load_data(arrays(tmp_path / "x.npy", test_fraction=0.2, split_seed=3))
    assert torch.equal(again.test, ds.test)  # the split is seeded
    rows = {tuple(r) for r in x.reshape(10, -1).tolist()}
    assert {tuple(r) for r in ds.test.reshape(2, -1).tolist()} <= rows


def test_npz_train_test_channels_last_and_labels(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    np.savez(tmp_path / "d.npz", train=rng.random((6, 4, 4, 3), dtype=np.float32),
             test=rng.random((3, 4, 4, 3), dtype=np.float32),
             train_labels=np.arange(6), test_labels=np.arange(3))
    ds = load_data(arrays(tmp_path / "d.npz"))
    assert ds.train.shape == (4, 3, 4, 4) and ds.val.shape == (2, 3, 4, 4)
    assert ds.test.shape == (3, 3, 4, 4)
    assert ds.train.dtype == torch.float32 and ds.test_labels.tolist() == [0, 1, 2]


def test_npz_with_nan_is_an_error(tmp_path: Path) -> None:
    x = np.full((5, 3, 3), 0.5, dtype=np.float32)
    x[2, 1, 1] = np.nan
    np.savez(tmp_path / "nan.npz", x=x)
    with pytest.raises(DataError, match=r"nan\.npz.*NaN"):
        load_data(arrays(tmp_path / "nan.npz"))


def test_npz_float_images_out_of_range(tmp_path: Path) -> None:
    np.savez(tmp_path / "big.npz", x=np.full((5, 3, 3), 200.0, dtype=np.float32))
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        load_data(arrays(tmp_path / "big.npz"))


def test_2d_arrays_are_standardized_rows(tmp_path: Path) -> None:
    x = np.random.default_rng(2).normal(5.0, 3.0, size=(50, 4))
    x[:, 3] = 7.0  # constant column: std 0 -> divided by 1
    np.savez(tmp_path / "rows.npz", x=x, y=np.arange(50) % 2)
    ds = load_data(arrays(tmp_path / "rows.npz"))
    assert ds.kind == "table" and ds.train.shape == (36, 4) and ds.columns == ["x0", "x1",
                                                                                  "x2", "x3"]
    fitted = torch.cat([ds.train, ds.val])  # standardized on the whole training split
    assert torch.allclose(fitted.mean(0), torch.zeros(4), atol=1e-5)
    assert torch.allclose(fitted[:, :3].std(0, correction=0), torch.ones(3), atol=1e-4)
    assert ds.column_std is not None and float(ds.column_std[3]) == 1.0


def test_bad_numpy_files(tmp_path: Path) -> None:
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(DataError, match="bad.npz"):
        load_data(arrays(tmp_path / "bad.npz"))
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="obj.npy.*pickled"):
        load_data(arrays(tmp_path / "obj.npy"))
    np.savez(tmp_path / "keys.npz", images=np.zeros((3, 2, 2)))
    with pytest.raises(DataError, match=r"keys \['images'\]"):
        load_data(arrays(tmp_path / "keys.npz"))
    with pytest.raises(DataError, match="no such file"):
        load_data(arrays(tmp_path / "absent.npz"))


def _save(path: Path, size: tuple[int, int], value: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (value, 255 - value, 0)).save(path)


def test_image_folder_grey_rgb_resize_and_classes(tmp_path: Path) -> None:
    for i in range(3):
        _save(tmp_path / "cats" / f"{i}.png", (12, 10), 10 * i)
        _save(tmp_path / "dogs" / "sub" / f"{i}.jpg", (20, 20), 200)
    grey = load_data(DataConfig(name="folder", path=str(tmp_path), image_size=8, color="grey",
                                test_fraction=0.34))  # 2 held-out images of 6
    assert grey.train.shape[1:] == (1, 8, 8) and grey.train.dtype == torch.uint8
    assert grey.classes == ["cats", "dogs"]
    labels = torch.cat([grey.train_labels, grey.val_labels, grey.test_labels])
    assert sorted(labels.tolist()) == [0, 0, 0, 1, 1, 1]
    rgb = load_data(DataConfig(name="folder", path=str(tmp_path), color="rgb",
                               test_fraction=0.34))
    assert rgb.train.shape[1:] == (3, 10, 12)  # default: the first image's size
    assert len(rgb.train) + len(rgb.val) + len(rgb.test) == 6


def test_the_validation_split_is_carved_from_train_and_checked(tmp_path: Path) -> None:
    x = np.arange(40 * 3, dtype=np.float32).reshape(40, 3)
    np.save(tmp_path / "rows.npy", x)
    whole = load_data(arrays(tmp_path / "rows.npy", val_size=None))
    for size, n in (("auto", 3), (5, 5), (0.25, 8)):  # auto: 10% of the 32 training rows
        ds = load_data(arrays(tmp_path / "rows.npy", val_size=size))
        assert len(ds.val) == n and len(ds.train) == 32 - n and torch.equal(ds.test, whole.test)
        # Train and validation partition the training split: no example in both, none lost.
        rows = {tuple(r) for r in torch.cat([ds.train, ds.val]).tolist()}
        assert rows == {tuple(r) for r in whole.train.tolist()} and len(rows) == 32
    with pytest.raises(DataError, match="val_size: 31 of the 32 .* leaves 1"):
        load_data(arrays(tmp_path / "rows.npy", val_size=31))


def test_a_folder_keeps_its_colour_and_says_what_it_read(tmp_path: Path) -> None:
    for i in range(7):
        _save(tmp_path / f"c{i}.png", (12, 10) if i else (8, 8), 30 * i)  # colour; sizes differ
    Image.new("L", (5, 5), 9).save(tmp_path / "g.png")  # one grey image among them
    ds = load_data(DataConfig(name="folder", path=str(tmp_path), test_fraction=0.25))
    assert ds.shape == (3, 8, 8)  # auto: colour kept, every image at the first one's size
    assert ds.summary == (f"read 8 images from {tmp_path}: 8x8, RGB (3 channels), 8-bit; 7 of "
                          "another size resized to the first image's size (set data.image_size "
                          "to choose)")
    grey = load_data(DataConfig(name="folder", path=str(tmp_path), color="grey", image_size=6,
                                test_fraction=0.25))
    assert grey.shape == (1, 6, 6) and "colour dropped from 7 image(s)" in grey.summary
    assert "8 of another size resized to data.image_size 6" in grey.summary


def test_a_binarized_preset_refuses_colour_images(tmp_path: Path) -> None:
    import vaekit

    for i in range(12):
        _save(tmp_path / "imgs" / f"{i}.png", (8, 8), 20 * i)
    with pytest.raises(DataError, match="binarize=dynamic would turn each colour channel"):
        vaekit.train({"data": {"name": "folder", "path": str(tmp_path / "imgs"),
                               "binarize": "dynamic"}, "model": {"likelihood": "bernoulli"},
                      "train": {"epochs": 1}}, tmp_path / "run")
    assert not (tmp_path / "run").exists()  # refused before the run folder is made


def test_image_folder_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="found 0"):
        load_data(DataConfig(name="folder", path=str(tmp_path / "empty")))
    _save(tmp_path / "imgs" / "a.png", (4, 4), 0)
    (tmp_path / "imgs" / "b.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"b\.png"):
        load_data(DataConfig(name="folder", path=str(tmp_path / "imgs")))


def test_random_bytes_named_npy_or_npz_are_not_called_pickled(tmp_path):
    import os

    import pytest

    from vaekit.config.schema import DataConfig
    from vaekit.data import load_data
    from vaekit.errors import DataError

    for suffix in (".npy", ".npz"):
        path = tmp_path / f"noise{suffix}"
        path.write_bytes(os.urandom(400))
        with pytest.raises(DataError, match="not a numpy .* file") as err:
            load_data(DataConfig(name="arrays", path=str(path)))
        assert "pickle" not in str(err.value)


def test_a_split_too_small_for_its_statistics_is_refused(tmp_path):
    import pytest

    from vaekit.config.schema import DataConfig
    from vaekit.data import load_data
    from vaekit.errors import DataError

    path = tmp_path / "three.npy"
    np.save(path, np.arange(6, dtype=np.float32).reshape(3, 2))  # a 20 % test split holds 1 row
    with pytest.raises(DataError, match="test split: 1 example.*at least 2"):
        load_data(DataConfig(name="arrays", path=str(path)))
