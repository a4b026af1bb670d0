"""What an architecture builder returns."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn


@dataclass
class Arch:
    """``encoder``: x (B, *shape) -> features (B, feature_dim).

    ``decoder``: (B, decoder_in) -> likelihood parameters (B, k*C, H, W) or (B, k*D).
    """

    encoder: nn.Module
    feature_dim: int
    decoder: nn.Module
