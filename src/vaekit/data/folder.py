"""A folder of PNG/JPEG images (searched recursively; uncompressed .tar shards of images in it,
or a glob of them, too), read with Pillow.

Colour is kept when the images have it (``data.color=auto``: RGB, C=3, when any image is in
colour, else grey, C=1; ``grey`` or ``rgb`` choose). Every image is resized to
``data.image_size`` x ``data.image_size`` (bilinear, antialiased), or without it to the first
image's size; 16-bit images are read at their depth. What was read is said in one line (count,
size, channels, how many were resized). If every image lies in a first-level subfolder and there
are at least two of them, those subfolders are the classes (sorted names; label = index).
Held-out split: ``data.test_fraction`` with ``data.split_seed``. Images whose decoded size
exceeds what memory can spare are streamed (``vaekit.data.folder_stream``), or with
``data.stream: true``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset, split_fraction
from vaekit.data.image_members import Member
from vaekit.data.image_read import describe, header_size, image_format, labels_of, members_of, unit
from vaekit.errors import ConfigError, DataError
from vaekit.registry import register
from vaekit.resources import available_bytes, check_allocation


def read_folder(root: Path, image_size: int | None = None, color: str = "grey",
                report: list[str] | None = None, members: list[Member] | None = None
                ) -> tuple[torch.Tensor, torch.Tensor | None, list[Member]]:
    """Every image under ``root`` in order (``image_members``): (N, C, H, W) uint8 (float32 in
    [0, 1] when one is 16-bit), labels from class folders (or None), and the members. ``color``:
    grey, rgb or auto (rgb when any image is in colour); ``report`` gets one line saying what
    was read (``members``: the images of ``root``, when they were listed already)."""
    members = members_of(root) if members is None else members
    reader, colour, first = image_format(members, image_size, color)
    # Preallocate (N, H, W[, C]) and fill it: only one copy of the data set in memory.
    check_allocation(len(members) * first.nbytes, f"image folder {root} ({len(members)} images)")
    images = np.empty((len(members), *first.shape), dtype=first.dtype)
    images[0] = first
    resized = int(image_size is not None and header_size(members[0]) != reader.size)
    for i, m in enumerate(members[1:], start=1):
        resized += header_size(m) != reader.size
        image = reader(m)
        if image.dtype != images.dtype:  # 8-bit and 16-bit images together: all in [0, 1]
            images, image = unit(images), unit(image)
        images[i] = image
    x = torch.from_numpy(images)
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()
    if report is not None:
        report.append(describe(len(members), root, reader, images.dtype == np.float32, resized,
                               image_size, colour))
    return x, labels_of(members)[0], members


def _streams(stream: bool | None, members: list[Member], image_size: int | None) -> bool:
    """``data.stream``, or (None) whether the decoded images would take more than a quarter of
    the memory available now (judged from the first image's size)."""
    if stream is not None:
        return stream
    free = available_bytes()
    if free is None:
        return False
    side = image_size or max(header_size(members[0]))
    return len(members) * 3 * side * side > free / 4


@register("data", "folder")
def load_folder(cfg: DataConfig, image_size: int | None = None, color: str = "auto",
                stream: bool | None = None, workers: int = 2) -> Dataset:
    """(N, C, H, W) uint8 in [0, 255] from the images under ``cfg.path``; labels if class folders.

    ``image_size``: resize every image to this square size (>= 4; None keeps the first image's
    size); ``color``: ``auto`` (RGB when any image is in colour, else grey), ``grey`` (one
    channel) or ``rgb``; ``stream``: decode the training images batch by batch from disk
    (None: when they would not fit comfortably in memory); ``workers``: the loader processes
    that decode them (at most one fewer than the cores run: training keeps one).
    """
    if image_size is not None and (isinstance(image_size, bool) or not isinstance(image_size, int)
                                   or image_size < 4):
        raise ConfigError(f"data.image_size: a whole number >= 4 or null, got {image_size!r}")
    if color not in ("auto", "grey", "rgb"):
        raise ConfigError(f"data.color: auto, grey or rgb, got {color!r}")
    if stream is not None and not isinstance(stream, bool):
        raise ConfigError(f"data.stream: true, false or null (decide from the size), got {stream!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= 64:
        raise ConfigError(f"data.workers: a whole number from 0 to 64, got {workers!r}")
    if cfg.path is None:
        raise DataError("data source 'folder' needs data.path (a folder of PNG/JPEG images)")
    root = Path(cfg.path).expanduser()
    members = members_of(root)
    if _streams(stream, members, image_size):
        from vaekit.data.folder_stream import stream_folder

        return stream_folder(cfg, root, members, image_size, color, workers)
    said: list[str] = []
    x, y, members = read_folder(root, image_size, color, said, members)
    classes = labels_of(members)[1]
    tr, te = split_fraction(len(x), cfg.test_fraction, cfg.split_seed)
    return Dataset(
        name=root.name,
        train=x[tr],
        test=x[te],
        kind="image",
        train_labels=None if y is None else y[tr],
        test_labels=None if y is None else y[te],
        classes=classes,
        meta={"source": str(root), "files": len(members),
              "color": "rgb" if x.shape[1] == 3 else "grey"},
        summary=said[0],
    )
