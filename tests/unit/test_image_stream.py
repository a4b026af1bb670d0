"""Images streamed from disk: the same splits and batches as the folder read into memory (ranks,
a mid-epoch start and the binarization's draws included), tar shards read as the files they
hold, and an image that stops decoding mid-epoch is one error naming it."""

from __future__ import annotations

import tarfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from vaekit.config.schema import DataConfig
from vaekit.data import load_data, resolve_data_arg
from vaekit.data.source import TensorSource
from vaekit.errors import DataError


def _folder(root: Path, n: int = 60) -> Path:
    """n 6x6 grey images in two class folders; image i's pixels encode i."""
    rng = np.random.default_rng(0)
    for i in range(n):
        cls = root / ("a" if i % 3 else "b")
        cls.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 256, (6, 6), dtype=np.uint8)
        pixels[0, 0] = i
        Image.fromarray(pixels).save(cls / f"{i:03d}.png")
    return root


def _load(path: Path | str, stream: bool, workers: int = 0):
    return load_data(DataConfig(name="folder", path=str(path), test_fraction=0.2,
                                args={"stream": stream, "workers": workers}))


def _batches(source, epoch: int, start: int = 0) -> list[torch.Tensor]:
    return [b.x for b in source.epoch(epoch, 7, torch.Generator().manual_seed(3), start)]


def _memory_source(ds, mode: str) -> TensorSource:
    return TensorSource(ds.train, ds.train_labels, mode, seed=11)


def test_streamed_images_give_the_splits_and_batches_of_the_folder_in_memory(tmp_path):
    root = _folder(tmp_path / "imgs")
    mem, streamed = _load(root, stream=False), _load(root, stream=True)
    assert streamed.train_source is not None and mem.train_source is None
    for split in ("test", "val"):
        assert torch.equal(mem.split(split)[0], streamed.split(split)[0])
        assert torch.equal(mem.split(split)[1], streamed.split(split)[1])
    assert len(streamed.train_source) == len(mem.train)
    for mode in ("none", "dynamic"):
        for rank, size in ((0, 1), (1, 2)):
            a = _memory_source(mem, mode).sharded(11, rank, size)
            b = streamed.train_source.binarized(mode).sharded(11, rank, size)
            for epoch in (0, 1):
                left, right = _batches(a, epoch), _batches(b, epoch)
                assert len(left) == len(right)
                assert all(torch.equal(x, y) for x, y in zip(left, right, strict=True))
    src = replace(streamed.train_source, workers=2).sharded(11, 0, 1)  # decoded in 2 processes
    assert all(torch.equal(x, y) for x, y in zip(
        _batches(src, 0), _batches(_memory_source(mem, "none"), 0), strict=True))
    assert [x.tolist() for x in _batches(src, 2, start=3)] == \
        [x.tolist() for x in _batches(src, 2)[3:]]
    labels = [b.y for b in src.epoch(0, 7, torch.Generator())]
    mem_labels = [b.y for b in _memory_source(mem, "none").epoch(0, 7, torch.Generator())]
    assert all(torch.equal(x, y) for x, y in zip(labels, mem_labels, strict=True))


def test_tar_shards_are_read_as_the_images_they_hold(tmp_path):
    root = _folder(tmp_path / "imgs", n=30)
    shards = tmp_path / "shards"
    shards.mkdir()
    files = sorted(root.rglob("*.png"))
    for k in range(2):  # two shards, each holding half the images under their class folders
        with tarfile.open(shards / f"part-{k}.tar", "w") as tar:
            for f in files[k::2]:
                tar.add(f, arcname=f.relative_to(root).as_posix())
    assert resolve_data_arg(str(shards))["name"] == "folder"
    assert resolve_data_arg(str(shards / "*.tar")) == {"name": "folder",
                                                       "path": str(shards / "*.tar")}
    from_files, from_tars = _load(root, stream=False), _load(shards / "*.tar", stream=True)

    def every(ds) -> list[tuple[int, int]]:
        x = torch.cat([ds.train, ds.val, ds.test])
        y = torch.cat([ds.train_labels, ds.val_labels, ds.test_labels])
        return sorted(zip(x[:, 0, 0, 0].tolist(), y.tolist(), strict=True))

    mem_tars = _load(shards, stream=False)
    assert every(mem_tars) == every(from_files)  # every image, with its class, once
    assert from_tars.classes == from_files.classes == ["a", "b"]
    assert torch.equal(from_tars.test, mem_tars.test)


def test_an_image_that_stops_decoding_mid_epoch_is_one_error_naming_it(tmp_path):
    root = _folder(tmp_path / "imgs")
    ds = _load(root, stream=True, workers=1)
    src = ds.train_source
    broken = src.members[src.index[-1]].path  # a training image, after the split was read
    broken.write_bytes(b"not a png")
    with pytest.raises(DataError, match=rf"{broken.name} cannot be read") as caught:
        for _ in ds.train_source.epoch(0, 7, torch.Generator()):
            pass
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("args", [{"stream": "yes"}, {"workers": -1}])
def test_bad_stream_options_are_config_errors(tmp_path, args):
    from vaekit.errors import ConfigError

    with pytest.raises(ConfigError, match="data\\."):
        load_data(DataConfig(name="folder", path=str(_folder(tmp_path / "i", 4)), args=args))


def test_the_index_of_tar_members_is_compact_and_gives_back_each_member(tmp_path):
    """``Members`` holds arrays and one buffer of names, not an object per image, and gives
    the members the tar listing gave, in order, by index, slice and iteration."""
    import io
    import pickle
    import tarfile

    from PIL import Image

    from vaekit.data.image_members import Member, image_members, tar_members

    for shard in range(2):
        with tarfile.open(tmp_path / f"s{shard}.tar", "w") as tar:
            for i in range(300):
                buf = io.BytesIO()
                Image.new("L", (4, 4), i % 256).save(buf, format="PNG")
                info = tarfile.TarInfo(f"c{i % 2}/img-{shard}-{i:03d}-é.png")
                info.size = len(buf.getvalue())
                tar.addfile(info, io.BytesIO(buf.getvalue()))
    listed = [m for p in sorted(tmp_path.glob("*.tar")) for m in tar_members(p)]
    members = image_members(str(tmp_path / "*.tar"))
    assert len(members) == 600 and list(members) == listed
    assert members[-1] == listed[-1] and members[10:13] == listed[10:13]
    assert isinstance(members[0], Member) and members[0].name == "c0/img-0-000-é.png"
    # The index is a few arrays and the names' bytes: 28 bytes an image besides its name
    # (a list of Member objects takes hundreds), and a loader worker receives it as such.
    held = sum(a.nbytes for a in (members.file, members.offset, members.size, members.ends))
    assert held == 28 * len(members) and len(members.names) == sum(
        len(m.name.encode()) for m in listed)
    assert list(pickle.loads(pickle.dumps(members))) == listed


def test_workers_leave_training_a_core_and_training_takes_the_rest(monkeypatch) -> None:
    from vaekit.data import image_stream

    monkeypatch.setattr(image_stream, "usable_cores", lambda: 2)
    threads = torch.get_num_threads()
    assert image_stream.share_cores(2, 100) == (1, 1)  # two asked on two cores: one, one thread
    assert image_stream.share_cores(0, 100) == (0, min(threads, 2))  # decoding here: all cores
    monkeypatch.setattr(image_stream, "usable_cores", lambda: 16)
    assert image_stream.share_cores(2, 100) == (2, min(threads, 14))
    assert image_stream.share_cores(4, 3)[0] == 3  # no more workers than batches


def test_an_epoch_gives_training_threads_back(tmp_path: Path) -> None:
    ds = _load(_folder(tmp_path / "f"), stream=True, workers=1)
    before = torch.get_num_threads()
    assert len(_batches(ds.train_source, 1)) > 0
    assert torch.get_num_threads() == before


def test_an_image_named_png_in_another_format_is_read(tmp_path: Path) -> None:
    root = _folder(tmp_path / "f", n=30)
    path = root / "a" / "001.png"
    pixels = np.asarray(Image.open(path))
    Image.fromarray(pixels).save(path, format="BMP")  # the suffix says PNG, the bytes BMP
    ds = _load(root, stream=False)
    every = torch.cat([ds.train, ds.test] + ([] if ds.val is None else [ds.val]))
    assert any(bool((x[0] == torch.from_numpy(pixels)).all()) for x in every)


def test_a_tar_rewritten_between_two_loads_is_read_as_it_is_now(tmp_path: Path) -> None:
    """Tar descriptors are kept open per process: a new listing must not read a replaced file
    through the old one."""
    from vaekit.data.image_members import image_members
    from vaekit.data.image_read import ImageReader

    def shard(value: int) -> None:
        tar_path = tmp_path / "s.tar"
        tar_path.unlink(missing_ok=True)  # a new file (inode), as a rewrite by another program
        with tarfile.open(tar_path, "w") as tar:
            for i in range(3):
                path = tmp_path / f"{i}.png"
                Image.fromarray(np.full((4, 4), value + i, dtype=np.uint8)).save(path)
                tar.add(path, arcname=f"{i}.png")

    read = ImageReader("L", (4, 4))
    shard(10)
    assert read(image_members(tmp_path / "s.tar*")[2])[0, 0] == 12
    shard(100)
    assert read(image_members(tmp_path / "s.tar*")[2])[0, 0] == 102
