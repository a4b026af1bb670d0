"""What every modality of (N, D) rows shares (tables and counts): the layout check, no range on
the values (their likelihood checks its own support), no binarization, files read as they are."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vaekit.errors import DataError

if TYPE_CHECKING:
    from torch import Tensor

    from vaekit.data.base import Dataset


class RowExamples:
    """The ``Modality`` methods of examples that are rows."""

    def check_layout(self, where: str, x: Tensor) -> None:
        if x.ndim != 2:
            raise DataError(f"{where}: rows must be (N, D), got shape {tuple(x.shape)}")

    def check_values(self, where: str, x: Tensor) -> None:
        """Any finite value can be a cell of a row (a likelihood checks its own support)."""

    def file_options(self, shape: tuple[int, ...]) -> dict[str, Any]:
        return {}

    def support_values(self, x: Tensor) -> Tensor:
        return x

    def input_binarization(self, mode: str) -> str:
        return "none"

    def check_binarization(self, ds: Dataset, mode: str) -> None:
        """Rows are never binarized: nothing to refuse."""
