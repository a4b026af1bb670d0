"""Shared loader of MNIST-like data sets: four IDX files (train/test images and labels).

Where the files come from, in order: ``cfg.path`` (a folder; its files are not hash-checked),
an optional system folder (also trusted as given), else the download cache (hash-checked).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset
from vaekit.data.download import Remote, fetch_all
from vaekit.data.idx import read_idx
from vaekit.errors import DataError

# Split part -> base name of its IDX file (stored as NAME.gz upstream).
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# The validation split of the published protocols: the last 10,000 of the 60,000 training images.
PROTOCOL_VALIDATION = 10_000


def remotes(mirrors: Sequence[str], hashes: dict[str, str]) -> list[Remote]:
    """The four ``NAME.gz`` downloads, each from every mirror (base URLs ending in ``/``)."""
    return [Remote(f"{base}.gz", hashes[part], tuple(f"{m}{base}.gz" for m in mirrors))
            for part, base in FILES.items()]


def _find(folder: Path, base: str) -> Path | None:
    """``base.gz``, ``base`` or the unpacked upstream spelling ``train-images.idx3-ubyte``."""
    dotted = base.replace("-idx", ".idx")
    for name in (f"{base}.gz", base, f"{dotted}.gz", dotted):
        if (folder / name).is_file():
            return folder / name
    return None


def has_files(folder: Path) -> bool:
    """True if ``folder`` holds all four IDX files."""
    return folder.is_dir() and all(_find(folder, base) for base in FILES.values())


def read_folder(folder: Path, name: str, classes: list[str]) -> Dataset:
    """Read the four IDX files of ``folder``: (N, 1, H, W) uint8 images, (N,) int64 labels."""
    found = {part: _find(folder, base) for part, base in FILES.items()}
    missing = [f"{FILES[p]}.gz" for p, f in found.items() if f is None]
    if missing:
        raise DataError(f"{name}: {', '.join(missing)} not found in {folder}; put the four IDX "
                        "files (.gz or unpacked) there")
    arrays = {part: read_idx(path) for part, path in found.items() if path is not None}
    for split in ("train", "test"):
        x, y = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        where = f"{name} in {folder}, {split} split"
        if x.ndim != 3 or y.ndim != 1:
            raise DataError(f"{where}: expected (N, H, W) images and (N,) labels, got "
                            f"{tuple(x.shape)} and {tuple(y.shape)}")
        if len(x) != len(y):
            raise DataError(f"{where}: {len(x)} images but {len(y)} labels")
        if len(y) and int(y.max()) >= len(classes):
            raise DataError(f"{where}: label {int(y.max())} out of range 0..{len(classes) - 1}")
    return Dataset(
        name=name,
        train=arrays["train_images"].unsqueeze(1),
        test=arrays["test_images"].unsqueeze(1),
        kind="image",
        train_labels=arrays["train_labels"].long(),
        test_labels=arrays["test_labels"].long(),
        test_is_official=True,
        classes=list(classes),
        # The published protocol: train on 50,000 and select on the last 10,000.
        validation="last",
        validation_size=PROTOCOL_VALIDATION,
        meta={"source": str(folder)},
    )


def load_mnist_like(cfg: DataConfig, name: str, classes: list[str], downloads: list[Remote],
                    system_dir: Path | None = None) -> Dataset:
    """Read from ``cfg.path``, else ``system_dir`` if it has the files, else the cache/download."""
    if cfg.path is not None:
        folder = Path(cfg.path).expanduser()
        if not folder.is_dir():
            raise DataError(f"{name}: data.path {folder} is not a folder; point it to the folder "
                            "holding the four IDX files")
    elif system_dir is not None and has_files(system_dir):
        folder = system_dir
    else:
        folder = fetch_all(cfg, name, downloads)
    return read_folder(folder, name, classes)
