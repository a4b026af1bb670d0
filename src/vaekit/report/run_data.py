"""Everything the pictures of a run need: its model, config, and held-out split as the model sees it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from vaekit.artifacts.metrics import read_metrics
from vaekit.artifacts.model_files import load_model, read_run_config
from vaekit.config.schema import Config
from vaekit.data import heldout_tensor, load_data
from vaekit.errors import UserError
from vaekit.model.vae import VAE


class IndexOutOfRange(UserError):
    """An example index beyond the end of a split."""


@dataclass
class RunData:
    """A loaded run. ``x``: (N, *shape) float held-out (or train) split, preprocessed as in
    training (binarized with the fixed held-out seed when the run binarizes); ``y``: (N,) labels
    or None; ``info``: config.json's ``data`` section (classes, columns, column_mean/std...)."""

    path: Path
    config: Config
    raw: dict[str, Any]
    model: VAE
    x: Tensor
    y: Tensor | None
    split: str

    @property
    def info(self) -> dict[str, Any]:
        return self.raw.get("data") or {}

    @property
    def classes(self) -> list[str] | None:
        return self.info.get("classes")

    @property
    def is_image(self) -> bool:
        return len(self.model.shape) == 3

    def column_scale(self) -> tuple[Tensor, Tensor]:
        """Tabular runs: (D,) column mean and std of the training split (identity if absent)."""
        d = self.model.shape[0]
        mean, std = self.info.get("column_mean"), self.info.get("column_std")
        return (torch.tensor(mean) if mean else torch.zeros(d),
                torch.tensor(std) if std else torch.ones(d))

    def columns(self) -> list[str]:
        return list(self.info.get("columns") or [f"x{i}" for i in range(self.model.shape[0])])

    def metrics(self) -> list[dict[str, str]]:
        return read_metrics(self.path / "metrics.csv")

    def check_index(self, i: int, option: str) -> int:
        if not -len(self.x) <= i < len(self.x):
            raise IndexOutOfRange(f"{option} {i}: the {self.split} split has {len(self.x)} "
                                  f"examples (indices 0 to {len(self.x) - 1})")
        return i % len(self.x)


def open_run(path: str | Path, split: str = "test", model: VAE | None = None) -> RunData:
    """Load a run folder and its data split; RunError (one line) when the run is missing/corrupt."""
    path = Path(path)
    cfg, raw = read_run_config(path)
    model = model if model is not None else load_model(path)
    ds = load_data(cfg.data)
    mode = cfg.data.binarize if ds.kind == "image" else "none"
    x = ds.test if split == "test" else ds.train
    y = ds.test_labels if split == "test" else ds.train_labels
    return RunData(path, cfg, raw, model, heldout_tensor(x, mode, model.device).cpu(), y, split)
