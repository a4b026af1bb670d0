"""What the trainer needs before its loop: device, data on the device, optimizer, schedule."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from vaekit.config.schema import TrainConfig
from vaekit.data import Dataset, binarize, to_float
from vaekit.errors import ConfigError, DataError
from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when present; asking for CUDA without it is a ConfigError."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"train.device: unknown device {name!r} (cpu, cuda, cuda:N, auto)") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError("train.device: CUDA was asked for but torch sees no GPU; use cpu")
    return device


def check_labels(model: VAE, ds: Dataset) -> None:
    """A conditional model needs a label in 0..num_classes-1 for every example (DataError)."""
    cond = model.conditioner
    if cond is None:
        return
    for split, y in (("training", ds.train_labels), ("test", ds.test_labels)):
        if y is None:
            raise DataError(f"this model is conditional (model.conditioner) but the {split} "
                            "split has no labels")
        if len(y) and (int(y.min()) < 0 or int(y.max()) >= cond.num_classes):
            raise DataError(f"the {split} labels lie in {int(y.min())}..{int(y.max())}, outside "
                            f"0..{cond.num_classes - 1}: set model.num_classes")


def check_likelihood_support(model: VAE, ds: Dataset, mode: str) -> None:
    """Data must lie where the likelihood is defined (DataError) -- checked once, at load."""
    for x in (ds.train, ds.test):
        model.likelihood.check_support(x, binarized=mode != "none")


@dataclass
class Batches:
    """The training split on the device (uint8 stays uint8) and how to turn indices into a batch."""

    x: Tensor
    y: Tensor | None
    binarize: str

    def __len__(self) -> int:
        return len(self.x)

    def batch(self, idx: Tensor, generator: torch.Generator | None) -> Batch:
        x = binarize(to_float(self.x[idx]), self.binarize, generator)
        return Batch(x, None if self.y is None else self.y[idx])


# Each optimizer with the fastest update torch has for it: Adam and AdamW a fused kernel (one
# pass over all parameters) where the device supports it, Adamax a foreach one.
OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], dict[str, bool]]] = {
    "adam": (torch.optim.Adam, {"fused": True}),
    "adamw": (torch.optim.AdamW, {"fused": True}),
    "adamax": (torch.optim.Adamax, {"foreach": True}),
}


def make_optimizer(model: VAE, cfg: TrainConfig) -> torch.optim.Optimizer:
    """``cfg.optimizer`` at ``cfg.lr`` with ``cfg.weight_decay`` as that optimizer defines it
    (AdamW's is decoupled from the gradient); the plain update where the fast one is missing."""
    cls, fast = OPTIMIZERS[cfg.optimizer]
    try:
        return cls(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, **fast)
    except RuntimeError:
        return cls(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


def make_schedule(opt: torch.optim.Optimizer, cfg: TrainConfig) -> torch.optim.lr_scheduler.LambdaLR:
    """Per-epoch learning-rate factor: constant, cosine to 0 over the run, or halve every N epochs."""
    epochs, every = cfg.epochs, cfg.lr_step_epochs
    factors = {
        "constant": lambda e: 1.0,
        "cosine": lambda e: 0.5 * (1 + math.cos(math.pi * min(e, epochs) / epochs)),
        "step": lambda e: 0.5 ** (e // every),
    }
    return torch.optim.lr_scheduler.LambdaLR(opt, factors[cfg.lr_schedule])
