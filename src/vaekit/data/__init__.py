"""Data sources (one registered file each) and the loader that validates what they return."""

from __future__ import annotations

from pathlib import Path

from vaekit import registry
from vaekit.config.schema import DataConfig
from vaekit.data.base import SPLITS, Dataset
from vaekit.data.modalities import file_sources, folder_source, glob_source, suffix_source
from vaekit.data.preprocess import binarize, heldout_tensor, to_float
from vaekit.data.validate import validate_dataset
from vaekit.data.validation import carve_validation
from vaekit.errors import DataError

__all__ = ["SPLITS", "Dataset", "binarize", "heldout_tensor", "load_data", "resolve_data_arg", "to_float"]

def resolve_data_arg(value: str) -> dict[str, str]:
    """Turn ``--data NAME|PATH`` into config keys: a built-in name, or a path and the data source
    that reads it (the modalities declare their files: ``vaekit.data.modalities``)."""
    if value in registry.names("data"):
        return {"name": value}
    if not value.strip():
        raise DataError("--data is empty: give a built-in data set or a path")
    path = Path(value).expanduser()
    if path.is_dir():  # a folder of images, else a table in files (streamed)
        return {"name": folder_source(path), "path": str(path)}
    if any(ch in value for ch in "*?["):  # a glob of tar shards of images, or of table files
        return {"name": glob_source(value), "path": value}
    source = suffix_source(path.suffix)
    if source is None:
        builtin = ", ".join(n for n in registry.names("data") if n not in file_sources())
        raise DataError(f"--data {value!r}: not a built-in data set ({builtin}) nor an .npz/.npy/.h5ad/"
                        ".csv/.parquet file or image folder")
    if not path.exists():
        raise DataError(f"--data {value!r}: no such file")
    return {"name": source, "path": str(path)}


def load_data(cfg: DataConfig) -> Dataset:
    """Load the source named by ``cfg.name``, carve its validation split (``data.val_size``)
    out of the training split, and validate it once."""
    loader = registry.get("data", cfg.name)
    ds = loader(cfg, **registry.bind("data", cfg.name, cfg.args))
    validate_dataset(ds)  # the validation split is a part of train: its values are checked
    return carve_validation(ds, cfg.val_size, cfg.split_seed)
