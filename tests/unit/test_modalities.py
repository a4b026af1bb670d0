"""The registered modalities: what the index reads from their source is what they declare, old
runs' names still open, and the files a path given to --data can be are theirs."""

from __future__ import annotations

import numpy as np
import pytest

from vaekit import registry
from vaekit.data import resolve_data_arg
from vaekit.data.modalities import file_sources, for_shape, modality
from vaekit.data.spec import DataSpec
from vaekit.errors import ConfigError


def test_the_index_reads_what_each_modality_declares_without_importing_it():
    for name in registry.names("modality"):
        live = registry.get("modality", name)
        read = registry.declared("modality", name)
        assert read and all(getattr(live, k) == v for k, v in read.items()), name


def test_a_run_that_stored_tabular_opens_as_a_table_and_one_with_no_kind_by_its_shape():
    assert DataSpec.from_json({"kind": "tabular"}).kind == "table"
    assert modality("tabular").name == "table"
    assert modality("", (1, 8, 8)).name == "image" and modality("", (5,)).name == "table"
    assert for_shape((3, 4, 4)).binarizes and not for_shape((7,)).bits_per_dim
    with pytest.raises(ConfigError, match="unknown modality 'video'"):
        modality("video")


def test_a_path_given_to_data_is_read_by_the_source_its_modality_declares(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((4, 3), np.float32))
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    (tmp_path / "c.h5ad").write_bytes(b"")
    images, tables, mixed = (tmp_path / n for n in ("images", "tables", "mixed"))
    for folder, files in ((images, ["a/1.png"]), (tables, ["p.parquet"]),
                          (mixed, ["p.csv", "q/2.jpg"])):
        for f in files:
            (folder / f).parent.mkdir(parents=True, exist_ok=True)
            (folder / f).write_bytes(b"")
    found = {p.name: resolve_data_arg(str(p))["name"]
             for p in (tmp_path / "x.npy", tmp_path / "t.csv", tmp_path / "c.h5ad", images,
                       tables, mixed)}
    assert found == {"x.npy": "arrays", "t.csv": "table", "c.h5ad": "counts", "images": "folder",
                     "tables": "shards", "mixed": "folder"}
    assert set(file_sources()) == {"arrays", "folder", "csv", "table", "counts"}
