"""What the trainer needs before its loop: device, checks of the data, optimizer, schedule."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from vaekit.config.schema import TrainConfig
from vaekit.data import SPLITS, Dataset
from vaekit.data.modalities import modality
from vaekit.errors import ConfigError, DataError
from vaekit.model.vae import VAE


def resolve_device(name: str, key: str = "train.device") -> torch.device:
    """``auto`` picks CUDA when present; asking for CUDA without it is a ConfigError that names
    ``key``, the setting the device came from."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"{key}: unknown device {name!r} (cpu, cuda, cuda:N, auto)") from None
    if device.type not in ("cpu", "cuda"):
        raise ConfigError(f"{key}: device {name!r} is not supported (cpu, cuda, cuda:N, auto)")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"{key}: CUDA was asked for but torch sees no GPU; use cpu")
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise ConfigError(f"{key}: {name!r}, but torch sees {torch.cuda.device_count()} GPU(s)")
    return device


def check_labels(model: VAE, ds: Dataset) -> None:
    """A conditional model needs a label in 0..num_classes-1 for every example (DataError)."""
    cond = model.conditioner
    if cond is None:
        return
    for split in (n for n in SPLITS if n != "val" or ds.val is not None):
        y = ds.split(split)[1]
        if y is None:
            raise DataError(f"this model is conditional (model.conditioner) but the {split} "
                            "split has no labels")
        if len(y) and (int(y.min()) < 0 or int(y.max()) >= cond.num_classes):
            raise DataError(f"the {split} labels lie in {int(y.min())}..{int(y.max())}, outside "
                            f"0..{cond.num_classes - 1}: set model.num_classes")


def check_likelihood_support(model: VAE, ds: Dataset, mode: str) -> None:
    """Data must lie where the likelihood is defined (DataError) -- checked once, at load. The
    modality refuses a binarization that would destroy its data (colour channels)."""
    modality(ds.kind).check_binarization(ds, mode)
    for split in (n for n in SPLITS if n != "val" or ds.val is not None):
        model.likelihood.check_support(ds.split(split)[0], binarized=mode != "none")


# Each optimizer with the fastest update torch has for it: Adam and AdamW a fused kernel (one
# pass over all parameters) where the device supports it; Adamax has none, and torch's own
# choice (foreach on a GPU, per tensor on the CPU, where foreach measured slower) is kept.
OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], dict[str, bool]]] = {
    "adam": (torch.optim.Adam, {"fused": True}),
    "adamw": (torch.optim.AdamW, {"fused": True}),
    "adamax": (torch.optim.Adamax, {}),
}


def make_optimizer(model: VAE, cfg: TrainConfig) -> torch.optim.Optimizer:
    """``cfg.optimizer`` at ``cfg.lr`` with ``cfg.weight_decay`` as that optimizer defines it
    (AdamW's is decoupled from the gradient); the plain update where the fast one is missing."""
    cls, fast = OPTIMIZERS[cfg.optimizer]
    try:
        return cls(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, **fast)
    except RuntimeError:
        return cls(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


# The decay of the learning rate at a run's progress p in [0, 1] and optimizer step s; each reads
# its own setting from the schedule (``every``: steps between halvings of the step schedule,
# ``tail``: the last fraction of the run over which wsd falls linearly to 0).
DECAYS: dict[str, Callable[[float, int, LRSchedule], float]] = {
    "constant": lambda p, s, sched: 1.0,
    "cosine": lambda p, s, sched: 0.5 * (1 + math.cos(math.pi * p)),
    "step": lambda p, s, sched: 0.5 ** (s // sched.every),
    "wsd": lambda p, s, sched: min(1.0, (1.0 - p) / sched.tail),
}


class LRSchedule:
    """The learning rate of optimizer step ``s`` (from 0): ``lr * min(1, (s + 1) / warmup_steps)
    * decay(p)``, the decay ``lr_schedule`` names at the run's progress p.

    p is the fraction of the run done: of its steps (``epochs`` of ``steps_per_epoch``), or of
    its time budget (``time_fraction``, with ``max_minutes``), whichever is further; so a
    cosine runs over the budget and still ends where the epochs do when they end it sooner.
    Without a budget the rate is a pure function of the step, which the checkpoint holds: a
    resumed run takes the rates of an uninterrupted one.
    """

    def __init__(self, cfg: TrainConfig, steps_per_epoch: int) -> None:
        self.lr, self.warmup, self.decay = cfg.lr, cfg.warmup_steps, DECAYS[cfg.lr_schedule]
        self.total = None if cfg.epochs is None else cfg.epochs * steps_per_epoch
        self.every = cfg.lr_step_epochs * steps_per_epoch
        self.tail = cfg.lr_decay_fraction

    def rate(self, step: int, time_fraction: float = 0.0) -> float:
        warm = min(1.0, (step + 1) / self.warmup) if self.warmup else 1.0
        progress = max(time_fraction, 0.0 if self.total is None else step / self.total)
        return self.lr * warm * self.decay(min(1.0, progress), step, self)

    def apply(self, opt: torch.optim.Optimizer, step: int, time_fraction: float = 0.0) -> float:
        """Set the rate of ``step`` on every parameter group; returns it."""
        lr = self.rate(step, time_fraction)
        for group in opt.param_groups:
            group["lr"] = lr
        return lr

