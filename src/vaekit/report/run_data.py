"""One split of an opened run, as the pictures of the report and the CLI draw it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import Tensor

from vaekit.artifacts.run_context import RunContext
from vaekit.config.schema import Config
from vaekit.data.modalities import Modality
from vaekit.data.spec import DataSpec
from vaekit.data.table_codec import TableCodec
from vaekit.errors import UserError
from vaekit.model.vae import VAE


class IndexOutOfRange(UserError):
    """An example index beyond the end of a split."""


@dataclass
class RunData:
    """A split of a run. ``x``: (N, *shape) float, preprocessed as in training (binarized with
    the fixed held-out seed when the run binarizes); ``y``: (N,) labels or None."""

    ctx: RunContext
    split: str

    @property
    def path(self) -> Path:
        return self.ctx.path

    @property
    def config(self) -> Config:
        return self.ctx.config

    @property
    def raw(self) -> dict[str, Any]:
        return self.ctx.raw

    @property
    def model(self) -> VAE:
        return self.ctx.model

    @property
    def x(self) -> Tensor:
        return self.ctx.split(self.split).x

    @property
    def y(self) -> Tensor | None:
        return self.ctx.split(self.split).y

    @property
    def spec(self) -> DataSpec:
        return self.ctx.spec

    @property
    def classes(self) -> list[str] | None:
        return self.ctx.classes

    @property
    def modality(self) -> Modality:
        return self.ctx.modality

    @property
    def codec(self) -> TableCodec:
        return self.ctx.codec

    def columns(self) -> list[str]:
        return self.ctx.columns()

    def metrics(self) -> list[dict[str, str]]:
        return self.ctx.metrics()

    def check_index(self, i: int, option: str) -> int:
        n = len(self.x)
        if not -n <= i < n:
            raise IndexOutOfRange(f"{option} {i}: the {self.split} split has {n} examples "
                                  f"(indices 0 to {n - 1})")
        return i % n


def open_run(path: str | Path, split: str = "test", model: VAE | None = None) -> RunData:
    """Open a run folder and one split; RunError (one line) when the run is missing/corrupt."""
    return RunData(RunContext.open(path, model=model), split)
