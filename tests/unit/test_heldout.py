"""The held-out split's one fixed binarization is the same images on every device."""

from __future__ import annotations

import torch

from vaekit.data.preprocess import HELDOUT_BINARIZATION_SEED, heldout_tensor


def _pixels() -> torch.Tensor:
    return torch.randint(0, 256, (50, 1, 6, 6), dtype=torch.uint8,
                         generator=torch.Generator().manual_seed(0))


def test_the_fixed_draw_is_the_seeded_cpu_draw():
    x = _pixels()
    u = torch.rand(x.shape, generator=torch.Generator().manual_seed(HELDOUT_BINARIZATION_SEED))
    expected = (u < x.float() / 255).float()
    assert torch.equal(heldout_tensor(x, "dynamic", torch.device("cpu")), expected)
    assert 0.2 < float(expected.mean()) < 0.8


def test_the_draw_is_made_on_the_cpu_for_any_device():
    """An accelerator's generator draws other numbers from the same seed (CUDA's Philox), so the
    draw is made on the CPU and moved; a device that has no generator at all shows it here."""
    out = heldout_tensor(_pixels(), "dynamic", torch.device("meta"))
    assert out.device.type == "meta" and out.shape == (50, 1, 6, 6)
