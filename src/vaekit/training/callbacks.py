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
    """Warn once when the held-out posterior collapses (``vaekit.eval.metrics.collapsed``, the
    rule ``vaekit evaluate`` applies too).

    Every VAE first fits the average example and only then starts to use z, so a low KL in the
    first few hundred steps is no collapse: the rule is applied once ``min_steps`` optimizer
    steps have passed, and to the last epoch of a shorter run. The remedies it names are
    measured on the run (its steps per epoch, its KL weight now, whether free bits hold the KL).
    """

    def __init__(self, min_steps: int = 1000) -> None:
        self.min_steps = min_steps
        self.warned = False
        self.last: tuple[int, dict[str, Any], VAE] | None = None

    def on_epoch_end(self, epoch: int, row: dict[str, Any], model: VAE) -> None:
        self.last = (epoch, row, model)
        if int(row["step"]) >= self.min_steps:
            self._check(epoch, row, model)

    def on_train_end(self, run: Any) -> None:
        if self.last is not None:
            self._check(*self.last)

    def _check(self, epoch: int, row: dict[str, Any], model: VAE) -> None:
        if self.warned or row.get("active_units") in (None, ""):
            return
        kl, active = float(heldout(row, "kl")), int(row["active_units"])  # type: ignore[arg-type]
        if kl == 0.0 and float(row["train_kl"]) == 0.0:
            return  # no KL term at all (a deterministic autoencoder): nothing can collapse
        message = collapse_warning(kl, active, model.latent_dim, "held-out", remedies(epoch, row))
        if message is not None:
            self.warned = True
            warnings.warn(message, stacklevel=2)


def remedies(epoch: int, row: dict[str, Any]) -> str:
    """Settings that differ from the run's own: a KL warm-up of 10 of its epochs, free bits above
    what holds its KL now, a KL weight below the one it trains with."""
    steps_per_epoch = max(1, int(row["step"]) // max(1, epoch))
    beta = float(row.get("beta") or 1.0)
    recon, kl = float(row["train_recon"]), float(row["train_kl"])
    # With free bits the training loss exceeds -recon + beta * KL: the floor holds the KL.
    held = float(row["train_loss"]) > -recon + beta * kl + 1e-3 * max(1.0, abs(recon))
    return (f"objective.kl_warmup_steps={10 * steps_per_epoch} (10 epochs of this run), "
            f"objective.free_bits={'0.5' if held else '0.1'} (nats per dimension"
            f"{'; the run holds some KL with free bits already' if held else ''}), or "
            f"objective.beta={beta / 4:g} (the run trains with {beta:g})")


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
