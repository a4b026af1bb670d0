"""Reading one image as a data set wants it: decoded at one colour mode and size (16-bit grey
kept at its depth), its header's colour and size, the class folders of a list of images, and the
one line that says what was read. The folder source and its streamed form share these."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from vaekit.data.image_members import Member, image_members
from vaekit.errors import DataError

FORMATS = ("PNG", "JPEG")


def _open(member: Member) -> Image.Image:
    """The image, opened as PNG or JPEG first (what its suffix says: a third faster than letting
    Pillow try every format), else as whatever format Pillow can identify."""
    source = member.open()
    try:
        return Image.open(source, formats=FORMATS)
    except UnidentifiedImageError:
        if isinstance(source, io.BytesIO):
            source.seek(0)
        return Image.open(source)


def _read(member: Member, mode: str, size: tuple[int, int] | None) -> np.ndarray:
    """One image -> (H, W) or (H, W, 3) uint8, resized to ``size`` (width, height) if given; a
    16-bit grey image is read at its depth, as float32 in [0, 1]."""
    try:
        with _open(member) as im:
            if im.mode.startswith("I"):
                return _deep(im, mode, size)
            if im.mode == mode:
                im.load()
            else:
                im = im.convert(mode)
            if size is not None and im.size != size:
                im = im.resize(size, Image.Resampling.BILINEAR)
            return np.asarray(im, dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        # UnidentifiedImageError and truncated-file errors are OSErrors.
        raise DataError(f"image {member.where} cannot be read ({e}); fix or remove it") from None


@dataclass(frozen=True)
class ImageReader:
    """Decodes a member at the data set's colour ``mode`` (L or RGB) and ``size`` (a loader
    worker gets this object)."""

    mode: str
    size: tuple[int, int] | None

    def __call__(self, member: Member) -> np.ndarray:
        return _read(member, self.mode, self.size)


def _deep(im: Image.Image, mode: str, size: tuple[int, int] | None) -> np.ndarray:
    """A 16-bit grey image as float32 in [0, 1] (converting it to 8 bits would clip it to white)."""
    im = im.convert("F")
    if size is not None and im.size != size:
        im = im.resize(size, Image.Resampling.BILINEAR)
    a = np.clip(np.asarray(im, dtype=np.float32) / 65535, 0, 1)
    return a if mode == "L" else np.repeat(a[..., None], 3, axis=-1)


def unit(a: np.ndarray) -> np.ndarray:
    """Images as float32 in [0, 1] (8-bit ones divided by 255)."""
    return a if a.dtype == np.float32 else a.astype(np.float32) / 255


def labels_of(members: list[Member]) -> tuple[torch.Tensor | None, list[str] | None]:
    """Labels from first-level subfolders, if every image is in one and there are >= 2."""
    tops = [Path(m.name).parts for m in members]
    if any(len(parts) < 2 for parts in tops):
        return None, None
    classes = sorted({parts[0] for parts in tops})
    if len(classes) < 2:
        return None, None
    index = {name: i for i, name in enumerate(classes)}
    return torch.tensor([index[parts[0]] for parts in tops], dtype=torch.int64), classes


# Pillow modes without colour (grey, 1-bit, 16/32-bit grey, grey with alpha).
GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}


def _in_colour(member: Member) -> bool:
    """True when the image is stored in colour (its header's mode; a palette counts as colour)."""
    try:
        with _open(member) as im:
            return im.mode not in GREY_MODES
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise DataError(f"image {member.where} cannot be read ({e}); fix or remove it") from None


def header_size(member: Member) -> tuple[int, int]:
    """(width, height) from the image's header."""
    with _open(member) as im:
        return im.size


def members_of(root: Path) -> list[Member]:
    """The images of ``root`` (at least 2; DataError otherwise)."""
    members = image_members(root)
    if len(members) < 2:
        raise DataError(f"image folder {root}: found {len(members)} PNG/JPEG images, need at "
                        "least 2 (searched recursively, tar shards included)")
    return members


def image_format(members: list[Member], image_size: int | None, color: str
                 ) -> tuple[ImageReader, int, np.ndarray]:
    """How the images are read: the reader (colour ``mode``: RGB when ``color`` is rgb, or auto
    and any of ``members`` is in colour; the size of ``image_size``, else of the first image),
    how many of ``members`` are in colour, and the first image as read."""
    colour = sum(_in_colour(m) for m in members) if color != "rgb" else len(members)
    mode = "RGB" if color == "rgb" or (color == "auto" and colour) else "L"
    size = None if image_size is None else (image_size, image_size)
    first = _read(members[0], mode, size)
    return ImageReader(mode, (first.shape[1], first.shape[0])), colour, first


def describe(n: int, root: Path, reader: ImageReader, deep: bool, resized: int,
             image_size: int | None, colour: int, of: str = "") -> str:
    """The one line that says what was read."""
    assert reader.size is not None
    kept = "RGB (3 channels)" if reader.mode == "RGB" else "grey (1 channel)"
    dropped = (f"; colour dropped from {colour} image(s){of} (data.color=grey)"
               if reader.mode == "L" and colour else "")
    how = f"to data.image_size {image_size}" if image_size else "to the first image's size"
    return (f"read {n:,} images from {root}: {reader.size[0]}x{reader.size[1]}, {kept}, "
            f"{'16-bit' if deep else '8-bit'}; {resized}{of} of another size resized {how} "
            f"(set data.image_size to choose){dropped}")
