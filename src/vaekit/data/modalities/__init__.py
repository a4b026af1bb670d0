"""The registered data modalities (image, table, counts; one file each) and the lookups over
them: a run's modality by the name it stored, the files a path given to ``--data`` can be.

Runs made before modalities were components stored ``tabular`` for a table; ``LEGACY`` maps such
names, in this one place, and a run that stored no name is the modality its example shape claims.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from vaekit import registry
from vaekit.data.modalities.base import Modality
from vaekit.errors import DataError

__all__ = ["LEGACY", "Modality", "file_sources", "folder_source", "for_shape", "glob_source",
           "modality", "suffix_source"]

# Names runs stored before the modality was a component -> its registered name.
LEGACY = {"tabular": "table"}


@cache
def _named(name: str) -> Modality:
    modality: Modality = registry.get("modality", name)()
    return modality


def modality(name: str, shape: tuple[int, ...] | None = None) -> Modality:
    """The modality registered as ``name`` (a legacy name mapped; ConfigError for an unknown
    one); with no name, the one that claims examples of ``shape``."""
    if not name and shape is not None:
        return for_shape(shape)
    return _named(LEGACY.get(name, name))


def for_shape(shape: tuple[int, ...]) -> Modality:
    """The modality of examples of ``shape`` when none is stated (a bare tensor, a model built
    without data): the one of that many dimensions that claims them."""
    for name in registry.names("modality"):
        found = _named(name)
        if found.claims_shape and found.example_dims == len(shape):
            return found
    raise DataError(f"no data modality takes examples of shape {tuple(shape)}")


def file_sources() -> tuple[str, ...]:
    """The data sources that read a user's file or folder (they need ``data.path``), read from
    the modalities' declarations without importing them."""
    found = (registry.declared("modality", n).get("file_sources", ())
             for n in registry.names("modality"))
    return tuple(dict.fromkeys(s for sources in found for s in sources))


def suffix_source(suffix: str) -> str | None:
    """The data source of a file with ``suffix`` (``.csv``...) given to ``--data``; None if no
    modality reads it."""
    for name in registry.names("modality"):
        source = _named(name).suffixes.get(suffix.lower())
        if source is not None:
            return source
    return None


def folder_source(path: Path) -> str:
    """The data source of folder ``path``: that of the modality whose files it holds (the lowest
    ``folder_rank`` when it holds several; the walk stops at a file of rank 0), else the images'
    (which then says what is missing)."""
    ranked = sorted((_named(n) for n in registry.names("modality") if _named(n).folder_source),
                    key=lambda m: m.folder_rank)
    owner = {s: m for m in reversed(ranked) for s in m.folder_suffixes}
    best = None
    for p in path.rglob("*"):
        found = owner.get(p.suffix.lower())
        if found is not None and (best is None or found.folder_rank < best.folder_rank):
            best = found
            if found is ranked[0]:
                break
    return (best or ranked[0]).folder_source


def glob_source(pattern: str) -> str:
    """The data source of a glob given to ``--data``: that of the modality whose folders hold
    files ending as the pattern does (``shards/*.tar``: tar shards of images), else a table's
    files streamed (``shards``)."""
    suffix = Path(pattern).suffix.lower()
    for name in registry.names("modality"):
        found = _named(name)
        if found.folder_source and suffix in found.folder_suffixes:
            return found.folder_source
    return "shards"
