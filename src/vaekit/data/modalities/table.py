"""Tables: (N, D) float32 rows, a table codec's blocks of typed columns (or, for a 2-D array,
standardized columns), never binarized.

``model.likelihood=auto``: the likelihood the source declares (a codec's columns), else a
Gaussian with a learned scale per column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from vaekit.data.modalities.rows import RowExamples
from vaekit.registry import register

if TYPE_CHECKING:
    from vaekit.data.base import Dataset


@register("modality", "table")
class Table(RowExamples):
    name = "table"
    example_dims = 1
    claims_shape = True
    binarizes = False
    bits_per_dim = False
    unit_interval = False
    pictures = False
    has_columns = True
    has_codec = True
    renders_as = "rows"
    draws_from = "gmm"
    code_components = 50
    fitted_prior = "code_mixture"
    file_sources = ("arrays", "csv", "table")
    suffixes: ClassVar[dict[str, str]] = {".npz": "arrays", ".npy": "arrays", ".csv": "table",
                                          ".parquet": "table"}
    folder_suffixes = (".parquet", ".csv")
    folder_source = "shards"  # a folder of table files is streamed
    frame_suffixes = (".csv", ".parquet")
    folder_rank = 1

    def auto_likelihood(self, ds: Dataset, binarize: str) -> tuple[str, dict[str, Any], str]:
        if ds.likelihood is not None:
            name, args = ds.likelihood
            return name, dict(args), "none" if binarize == "auto" else binarize
        return "gaussian_pixel", {}, "none"

    def shape_likelihood(self) -> tuple[str, dict[str, Any]]:
        return "gaussian_pixel", {}
