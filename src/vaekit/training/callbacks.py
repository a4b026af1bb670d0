"""Callbacks: how variation enters the one training loop without subclassing it.

A callback is any object with any of ``on_train_start(resume)`` (before the first epoch, and for a
new run before its folder is created), ``on_epoch_end(epoch, row, model)`` (``row`` is the
metrics row just written) and ``on_train_end(run)``; the trainer calls whichever exist.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from vaekit import registry
from vaekit.config.schema import Config
from vaekit.eval.metrics import collapse_warning
from vaekit.model.vae import VAE
from vaekit.store.metrics import heldout


class CollapseWarning:
    """Warn once when the held-out posterior collapses (the rule of ``collapse_warning``).

    Every VAE first fits the average example and only then starts to use z, so a low KL in the
    first few hundred steps is no collapse: the rule is applied once ``min_steps`` optimizer
    steps have passed, and to the last epoch of a shorter run.
    """

    def __init__(self, min_kl: float = 0.5, min_active_fraction: float = 0.25,
                 min_steps: int = 1000) -> None:
        self.min_kl = min_kl
        self.min_active_fraction = min_active_fraction
        self.min_steps = min_steps
        self.warned = False
        self.last: tuple[dict[str, Any], VAE] | None = None

    def on_epoch_end(self, epoch: int, row: dict[str, Any], model: VAE) -> None:
        self.last = (row, model)
        if int(row["step"]) >= self.min_steps:
            self._check(row, model)

    def on_train_end(self, run: Any) -> None:
        if self.last is not None:
            self._check(*self.last)

    def _check(self, row: dict[str, Any], model: VAE) -> None:
        if self.warned or row.get("active_units") in (None, ""):
            return
        kl = float(heldout(row, "kl"))  # type: ignore[arg-type]
        if kl == 0.0 and float(row["train_kl"]) == 0.0:
            return  # no KL term at all (a deterministic autoencoder): nothing can collapse
        message = collapse_warning(kl, int(row["active_units"]), model.latent_dim, self.min_kl,
                                   self.min_active_fraction, split="held-out")
        if message:
            self.warned = True
            warnings.warn(message, stacklevel=2)


def default_callbacks() -> list[Any]:
    """The callbacks every run gets."""
    return [CollapseWarning()]


def trackers(cfg: Config, out: Path) -> list[Any]:
    """The experiment trackers ``cfg.train.track`` names (``vaekit.tracking``), built before
    anything is written: one whose package is not installed is a UserError here."""
    return [registry.get("tracker", name)(out, cfg) for name in dict.fromkeys(cfg.train.track)]


def call(callbacks: list[Any], hook: str, *args: Any) -> None:
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if fn is not None:
            fn(*args)
