"""How stored examples become what a likelihood sees: floats (8-bit pixels divided by 255) and a
binarization, and the one fixed draw a held-out split is binarized with."""

from __future__ import annotations

import torch
from torch import Tensor


def is_binary(x: Tensor) -> bool:
    """True when every value is 0 or 1 (0 or 255 for uint8)."""
    top = 255 if x.dtype == torch.uint8 else 1
    return not bool(((x != 0) & (x != top)).any())


def to_float(x: Tensor) -> Tensor:
    """uint8 pixels -> float32 in [0, 1]; float data passes through as float32."""
    if x.dtype == torch.uint8:
        return x.float().div_(255.0)
    return x.float()


def binarize(x: Tensor, mode: str, generator: torch.Generator | None = None) -> Tensor:
    """Binarize float pixels in [0, 1]: ``threshold`` at 0.5, ``dynamic`` x ~ Bernoulli(x)."""
    if mode == "none":
        return x
    if mode == "threshold":
        return (x > 0.5).to(x.dtype)
    if mode == "dynamic":
        u = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return (u < x).to(x.dtype)
    raise ValueError(f"unknown binarization {mode!r}")


# Seed of the fixed binarization of a held-out split (kept apart from training draws).
HELDOUT_BINARIZATION_SEED = 2015


def heldout_generator() -> torch.Generator:
    """The generator of the held-out split's one fixed ``dynamic`` binarization. It is a CPU
    generator whatever device the model is on: CUDA draws other numbers from the same seed, and
    a held-out split must be the same images on every device for its numbers to compare."""
    return torch.Generator().manual_seed(HELDOUT_BINARIZATION_SEED)


def heldout_tensor(x: Tensor, mode: str, device: torch.device,
                   generator: torch.Generator | None = None) -> Tensor:
    """The held-out split as the likelihood sees it, on ``device``: float, and for ``dynamic``
    binarization one fixed seeded draw (made on the CPU), so held-out numbers are comparable
    across epochs, runs and devices.

    ``generator``: one ``heldout_generator`` shared by consecutive batches of a split, given in
    order from the first; it draws one number per value in order, so the batches get the whole
    split's draw bit for bit.
    """
    if mode == "dynamic":
        xf = to_float(x.cpu())
        return binarize(xf, mode, heldout_generator() if generator is None else generator).to(device)
    return binarize(to_float(x.to(device)), mode)
