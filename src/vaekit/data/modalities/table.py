"""Tables: (N, D) float32 rows, a table codec's blocks of typed columns (or, for a 2-D array,
standardized columns), never binarized.

``model.likelihood=auto``: the likelihood the source declares (a codec's columns), else a
Gaussian with a learned scale per column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from vaekit.errors import DataError
from vaekit.registry import register

if TYPE_CHECKING:
    from torch import Tensor

    from vaekit.data.base import Dataset


@register("modality", "table")
class Table:
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
    file_sources = ("arrays", "csv", "table")
    suffixes: ClassVar[dict[str, str]] = {".npz": "arrays", ".npy": "arrays", ".csv": "table",
                                          ".parquet": "table"}
    folder_suffixes = (".parquet", ".csv")
    folder_source = "shards"  # a folder of table files is streamed
    frame_suffixes = (".csv", ".parquet")
    folder_rank = 1

    def check_layout(self, where: str, x: Tensor) -> None:
        if x.ndim != 2:
            raise DataError(f"{where}: rows must be (N, D), got shape {tuple(x.shape)}")

    def check_values(self, where: str, x: Tensor) -> None:
        """Any finite value can be a cell of a row."""

    def file_options(self, shape: tuple[int, ...]) -> dict[str, Any]:
        return {}

    def support_values(self, x: Tensor) -> Tensor:
        return x

    def input_binarization(self, mode: str) -> str:
        return "none"

    def check_binarization(self, ds: Dataset, mode: str) -> None:
        """Rows are never binarized: nothing to refuse."""

    def auto_likelihood(self, ds: Dataset, binarize: str) -> tuple[str, dict[str, Any], str]:
        if ds.likelihood is not None:
            name, args = ds.likelihood
            return name, dict(args), "none" if binarize == "auto" else binarize
        return "gaussian_pixel", {}, "none"

    def shape_likelihood(self) -> tuple[str, dict[str, Any]]:
        return "gaussian_pixel", {}
