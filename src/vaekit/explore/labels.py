"""Labels to decode with: a conditional model needs one per code, other models ignore them."""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.model.vae import VAE


def is_conditional(model: VAE) -> bool:
    return model.conditioner is not None


def decode_labels(model: VAE, n: int, y: Tensor | int | None = None) -> Tensor | None:
    """(n,) int64 labels on the model's device for a conditional model, else None.

    ``y``: a tensor of n labels, one label for all, or None (class 0 for a conditional model).
    """
    if not is_conditional(model):
        return None
    if isinstance(y, Tensor):
        return y.to(model.device, torch.long).reshape(n)
    return torch.full((n,), 0 if y is None else int(y), dtype=torch.long, device=model.device)
