"""What an architecture builder returns."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn


@dataclass
class Arch:
    """``encoder``: x (B, *shape) -> features (B, feature_dim).

    ``decoder``: (B, decoder_in) -> likelihood parameters (B, k*C, H, W) or (B, k*D).
    ``feature_map``: (channels, h, w) of the encoder's last feature map, flattened channels first
    into the features, or None when the features are no map (an MLP).
    """

    encoder: nn.Module
    feature_dim: int
    decoder: nn.Module
    feature_map: tuple[int, int, int] | None = None
