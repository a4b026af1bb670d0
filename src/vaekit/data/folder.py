"""A folder of PNG/JPEG images (searched recursively), read with Pillow.

Colour is kept when the images have it (``data.color=auto``: RGB, C=3, when any image is in
colour, else grey, C=1; ``grey`` or ``rgb`` choose). Every image is resized to
``data.image_size`` x ``data.image_size`` (bilinear, antialiased), or without it to the first
image's size; 16-bit images are read at their depth. What was read is said in one line (count,
size, channels, how many were resized). If every image lies in a first-level subfolder and there
are at least two of them, those subfolders are the classes (sorted names; label = index).
Held-out split: ``data.test_fraction`` with ``data.split_seed``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset, split_fraction
from vaekit.errors import ConfigError, DataError
from vaekit.registry import register
from vaekit.resources import check_allocation

SUFFIXES = {".png", ".jpg", ".jpeg"}


def _image_files(root: Path) -> list[Path]:
    """Image files under ``root`` in sorted order, skipping hidden files and folders."""
    return sorted(p for p in root.rglob("*")
                  if p.suffix.lower() in SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def _read(path: Path, mode: str, size: tuple[int, int] | None) -> np.ndarray:
    """One image -> (H, W) or (H, W, 3) uint8, resized to ``size`` (width, height) if given; a
    16-bit grey image is read at its depth, as float32 in [0, 1]."""
    try:
        with Image.open(path) as im:
            if im.mode.startswith("I"):
                return _deep(im, mode, size)
            im = im.convert(mode)
            if size is not None and im.size != size:
                im = im.resize(size, Image.Resampling.BILINEAR)
            return np.asarray(im, dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        # UnidentifiedImageError and truncated-file errors are OSErrors.
        raise DataError(f"image {path} cannot be read ({e}); fix or remove it") from None


def _deep(im: Image.Image, mode: str, size: tuple[int, int] | None) -> np.ndarray:
    """A 16-bit grey image as float32 in [0, 1] (converting it to 8 bits would clip it to white)."""
    im = im.convert("F")
    if size is not None and im.size != size:
        im = im.resize(size, Image.Resampling.BILINEAR)
    a = np.clip(np.asarray(im, dtype=np.float32) / 65535, 0, 1)
    return a if mode == "L" else np.repeat(a[..., None], 3, axis=-1)


def _unit(a: np.ndarray) -> np.ndarray:
    """Images as float32 in [0, 1] (8-bit ones divided by 255)."""
    return a if a.dtype == np.float32 else a.astype(np.float32) / 255


def _labels(root: Path, files: list[Path]) -> tuple[torch.Tensor | None, list[str] | None]:
    """Labels from first-level subfolders, if every image is in one and there are >= 2."""
    tops = [f.relative_to(root).parts for f in files]
    if any(len(parts) < 2 for parts in tops):
        return None, None
    classes = sorted({parts[0] for parts in tops})
    if len(classes) < 2:
        return None, None
    index = {name: i for i, name in enumerate(classes)}
    return torch.tensor([index[parts[0]] for parts in tops], dtype=torch.int64), classes


# Pillow modes without colour (grey, 1-bit, 16/32-bit grey, grey with alpha).
GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}


def _in_colour(path: Path) -> bool:
    """True when the image is stored in colour (its header's mode; a palette counts as colour)."""
    try:
        with Image.open(path) as im:
            return im.mode not in GREY_MODES
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise DataError(f"image {path} cannot be read ({e}); fix or remove it") from None


def _size(path: Path) -> tuple[int, int]:
    """(width, height) from the image's header."""
    with Image.open(path) as im:
        return im.size


def read_folder(root: Path, image_size: int | None = None, color: str = "grey",
                report: list[str] | None = None
                ) -> tuple[torch.Tensor, torch.Tensor | None, list[Path]]:
    """Every image under ``root`` in sorted order: (N, C, H, W) uint8 (float32 in [0, 1] when
    one is 16-bit), labels from class folders (or None), and the files. ``color``: grey, rgb or
    auto (rgb when any image is in colour); ``report`` gets one line saying what was read."""
    if not root.is_dir():
        raise DataError(f"image folder {root} does not exist or is not a folder")
    files = _image_files(root)
    if len(files) < 2:
        raise DataError(f"image folder {root}: found {len(files)} PNG/JPEG images, need at "
                        "least 2 (searched recursively)")
    colour = sum(_in_colour(f) for f in files) if color != "rgb" else len(files)
    mode = "RGB" if color == "rgb" or (color == "auto" and colour) else "L"
    size = None if image_size is None else (image_size, image_size)
    first = _read(files[0], mode, size)
    size = (first.shape[1], first.shape[0])
    # Preallocate (N, H, W[, C]) and fill it: only one copy of the data set in memory.
    check_allocation(len(files) * first.nbytes, f"image folder {root} ({len(files)} images)")
    images = np.empty((len(files), *first.shape), dtype=first.dtype)
    images[0] = first
    resized = int(image_size is not None and _size(files[0]) != size)
    for i, f in enumerate(files[1:], start=1):
        resized += _size(f) != size
        image = _read(f, mode, size)
        if image.dtype != images.dtype:  # 8-bit and 16-bit images together: all in [0, 1]
            images, image = _unit(images), _unit(image)
        images[i] = image
    x = torch.from_numpy(images)
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()
    if report is not None:
        kept = "RGB (3 channels)" if mode == "RGB" else "grey (1 channel)"
        dropped = (f"; colour dropped from {colour} image(s) (data.color=grey)"
                   if mode == "L" and colour else "")
        how = f"to data.image_size {image_size}" if image_size else "to the first image's size"
        report.append(f"read {len(files):,} images from {root}: {size[0]}x{size[1]}, {kept}, "
                      f"{'16-bit' if images.dtype == np.float32 else '8-bit'}; {resized} of "
                      f"another size resized {how} (set data.image_size to choose){dropped}")
    return x, _labels(root, files)[0], files


@register("data", "folder")
def load_folder(cfg: DataConfig, image_size: int | None = None, color: str = "auto") -> Dataset:
    """(N, C, H, W) uint8 in [0, 255] from the images under ``cfg.path``; labels if class folders.

    ``image_size``: resize every image to this square size (>= 4; None keeps the first image's
    size); ``color``: ``auto`` (RGB when any image is in colour, else grey), ``grey`` (one
    channel) or ``rgb``.
    """
    if image_size is not None and (isinstance(image_size, bool) or not isinstance(image_size, int)
                                   or image_size < 4):
        raise ConfigError(f"data.image_size: a whole number >= 4 or null, got {image_size!r}")
    if color not in ("auto", "grey", "rgb"):
        raise ConfigError(f"data.color: auto, grey or rgb, got {color!r}")
    if cfg.path is None:
        raise DataError("data source 'folder' needs data.path (a folder of PNG/JPEG images)")
    root = Path(cfg.path).expanduser()
    said: list[str] = []
    x, y, files = read_folder(root, image_size, color, said)
    classes = _labels(root, files)[1]
    tr, te = split_fraction(len(x), cfg.test_fraction, cfg.split_seed)
    return Dataset(
        name=root.name,
        train=x[tr],
        test=x[te],
        kind="image",
        train_labels=None if y is None else y[tr],
        test_labels=None if y is None else y[te],
        classes=classes,
        meta={"source": str(root), "files": len(files), "color": "rgb" if x.shape[1] == 3 else "grey"},
        summary=said[0],
    )
