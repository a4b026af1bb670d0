"""Where a data set's images are: PNG/JPEG files under a folder (searched recursively), and the
images inside uncompressed tar shards (``.tar`` files in that folder, or a glob of them).

A tar shard is indexed once (each member's name, offset and size) and never unpacked: an image's
bytes are read at their offset when it is decoded. Hidden files and folders are skipped. The
index of a million images is held compactly (``Members``: arrays and one buffer of names, about
40 bytes an image with its name), so a streamed image set's memory stays flat as it grows, in
the training process and in each loader worker that receives it.
"""

from __future__ import annotations

import glob
import io
import os
import tarfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import overload

import numpy as np

from vaekit.errors import DataError

SUFFIXES = {".png", ".jpg", ".jpeg"}


@dataclass(frozen=True)
class Member:
    """One image: a file, or (``offset`` >= 0) ``size`` bytes at ``offset`` inside the tar file
    ``path`` (``name``: its name in the tar, which errors and class folders use)."""

    path: Path
    offset: int = -1
    size: int = 0
    name: str = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.name}" if self.offset >= 0 else str(self.path)

    def open(self) -> io.BufferedIOBase | Path:
        """What Pillow opens: the file's path, or the member's bytes."""
        if self.offset < 0:
            return self.path
        if hasattr(os, "pread"):
            data = os.pread(_tar_file(self.path), self.size, self.offset)
        else:  # Windows: no positioned read
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read(self.size)
        if len(data) != self.size:
            raise OSError(f"the tar file ends {self.size - len(data)} bytes early")
        return io.BytesIO(data)


# Tar shards open for reading, by path: a shard is opened once per process, not per image (a
# positioned read needs no seek, so the descriptor is shared safely by forked loader workers).
# Listing a tar forgets its descriptor: a listing's offsets are read from the file as it is.
_OPEN: dict[Path, int] = {}
MAX_OPEN = 64


def _tar_file(path: Path) -> int:
    """A read-only descriptor of the tar file ``path`` (at most ``MAX_OPEN`` kept open)."""
    fd = _OPEN.get(path)
    if fd is None:
        if len(_OPEN) >= MAX_OPEN:
            for old in _OPEN.values():
                os.close(old)
            _OPEN.clear()
        fd = _OPEN[path] = os.open(path, os.O_RDONLY)
    return fd


def _forget(path: Path) -> None:
    """Close the kept descriptor of ``path``, if any (the file may have been replaced)."""
    fd = _OPEN.pop(path, None)
    if fd is not None:
        os.close(fd)


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") for part in parts)


class Members(Sequence[Member]):
    """Images listed compactly: per image the index of its file in ``paths``, its offset and
    size in that file (offset -1: the file is the image) and its name, all in arrays and one
    UTF-8 buffer; ``members[i]`` makes the ``Member``."""

    def __init__(self, paths: list[Path], file: np.ndarray, offset: np.ndarray,
                 size: np.ndarray, names: bytes, ends: np.ndarray) -> None:
        self.paths, self.file, self.offset, self.size = paths, file, offset, size
        self.names, self.ends = names, ends

    @classmethod
    def of(cls, members: Iterable[Member]) -> Members:
        """The index of ``members`` (in their order), built in typed buffers: listing a million
        images never holds a Python object per image."""
        paths: dict[Path, int] = {}
        file, offset, size, ends = array("i"), array("q"), array("q"), array("q")
        names = bytearray()
        for m in members:
            file.append(paths.setdefault(m.path, len(paths)))
            offset.append(m.offset)
            size.append(m.size)
            names += m.name.encode()
            ends.append(len(names))
        return cls(list(paths), np.frombuffer(file, np.int32), np.frombuffer(offset, np.int64),
                   np.frombuffer(size, np.int64), bytes(names), np.frombuffer(ends, np.int64))

    def __len__(self) -> int:
        return len(self.file)

    def _member(self, i: int) -> Member:
        start = int(self.ends[i - 1]) if i else 0
        return Member(self.paths[int(self.file[i])], int(self.offset[i]), int(self.size[i]),
                      self.names[start : int(self.ends[i])].decode())

    @overload
    def __getitem__(self, i: int) -> Member: ...
    @overload
    def __getitem__(self, i: slice) -> list[Member]: ...
    def __getitem__(self, i: int | slice) -> Member | list[Member]:
        if isinstance(i, slice):
            return [self._member(j) for j in range(len(self))[i]]
        return self._member(range(len(self))[i])

    def __iter__(self) -> Iterator[Member]:
        return (self._member(i) for i in range(len(self)))


def tar_members(path: Path) -> list[Member]:
    """The images of one uncompressed tar file, in the tar's order (DataError naming the file
    when it is not one)."""
    out = []
    _forget(path)
    try:
        with tarfile.open(path, "r:") as tar:
            for m in tar:
                name = PurePosixPath(m.name)
                if m.isfile() and name.suffix.lower() in SUFFIXES and not _hidden(name.parts):
                    out.append(Member(path, m.offset_data, m.size, m.name))
    except (tarfile.TarError, OSError) as e:
        raise DataError(f"{path}: not a readable uncompressed tar file ({e})") from None
    return out


def image_members(spec: str | Path) -> Members:
    """Every image of ``spec`` (a folder, or a glob of .tar files): the folder's image files in
    sorted order, then the images of its tar files (sorted by path). A member's ``name`` is its
    path below the folder (a file) or in its tar (a tar member): class folders are read from it."""
    root = Path(spec).expanduser()
    if root.is_dir():
        files = sorted(p for p in root.rglob("*")
                       if p.is_file() and not _hidden(p.relative_to(root).parts))
        images = [Member(p, name=p.relative_to(root).as_posix()) for p in files
                  if p.suffix.lower() in SUFFIXES]
        tars = [p for p in files if p.suffix.lower() == ".tar"]
    elif any(ch in str(spec) for ch in "*?["):
        images, tars = [], sorted(Path(p) for p in glob.glob(str(root), recursive=True)
                                  if p.lower().endswith(".tar") and Path(p).is_file())
    else:
        raise DataError(f"image folder {root} does not exist or is not a folder")
    return Members.of(_chain(images, (tar_members(t) for t in tars)))


def _chain(first: list[Member], rest: Iterable[list[Member]]) -> Iterator[Member]:
    """``first``, then each tar's members, one tar's list at a time."""
    yield from first
    for members in rest:
        yield from members
