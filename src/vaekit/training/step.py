"""One training step's forward pass as a module, so DistributedDataParallel can wrap it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

from vaekit.errors import ConfigError
from vaekit.model.vae import VAE
from vaekit.objectives.base import Batch, LossOut, Objective

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


class LossModule(nn.Module):
    """forward(batch, step, generator) -> the objective's LossOut on ``model``.

    DDP synchronizes gradients only for work done inside its wrapped module's forward; the
    objective calls several model methods, so the whole objective runs inside this forward.
    """

    def __init__(self, model: VAE, objective: Objective) -> None:
        super().__init__()
        self.model = model
        self.objective = objective

    def forward(self, batch: Batch, step: int | None,
                generator: torch.Generator | None = None) -> LossOut:
        return self.objective(self.model, batch, step, generator)


@contextlib.contextmanager
def autocast(device: torch.device, precision: str) -> Iterator[None]:
    """Mixed precision for the forward pass (bf16 on CPU or GPU, fp16 on GPU); fp32 is a no-op.

    Losses stay float32: torch autocasts log-sigmoid, exp and reductions to float32.
    """
    dtype = PRECISIONS[precision]
    if dtype is None:
        yield
        return
    check_precision(device, precision)
    with torch.autocast(device_type=device.type, dtype=dtype):
        yield


def check_precision(device: torch.device, precision: str) -> None:
    """ConfigError for a precision this device cannot train in (fp16 needs a GPU)."""
    if precision == "fp16" and device.type == "cpu":
        raise ConfigError("train.precision=fp16 needs a GPU; use bf16 on the CPU")


def grad_scaler(device: torch.device, precision: str) -> torch.amp.GradScaler:
    """A loss scaler for fp16 (its gradients underflow without one); disabled otherwise."""
    return torch.amp.GradScaler(device.type, enabled=precision == "fp16")
