"""What an architecture builder returns, and the map a latent may hand its decoder."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from vaekit.errors import ConfigError


@dataclass(frozen=True)
class MapInput:
    """A decoder input that is a feature map, not a vector: (B, channels, h, w) at the
    resolution of the encoder's last feature map (what a hierarchy on feature maps hands on)."""

    channels: int


@dataclass
class Arch:
    """``encoder``: x (B, *shape) -> features (B, feature_dim).

    ``decoder``: (B, decoder_in) -> likelihood parameters (B, k*C, H, W) or (B, k*D); given a
    :class:`MapInput`, it reads (B, channels, h, w) with (h, w) those of ``feature_map``.
    ``feature_map``: (channels, h, w) of the encoder's last feature map, flattened channels first
    into the features, or None when the features are no map (an MLP).
    """

    encoder: nn.Module
    feature_dim: int
    decoder: nn.Module
    feature_map: tuple[int, int, int] | None = None


def decoder_head(decoder_in: int | MapInput, shape: tuple[int, int, int],
                 activation: type[nn.Module] | None) -> list[nn.Module]:
    """The first layers of a conv decoder, giving its (c, h, w) ``shape``: a linear layer and an
    unflatten from a vector, a 1x1 conv from a :class:`MapInput`; then ``activation``, if any."""
    c = shape[0]
    head: list[nn.Module] = (
        [nn.Conv2d(decoder_in.channels, c, 1)] if isinstance(decoder_in, MapInput)
        else [nn.Linear(decoder_in, c * shape[1] * shape[2]), nn.Unflatten(1, shape)])
    return head + ([activation()] if activation is not None else [])


def vector_input(decoder_in: int | MapInput, arch: str) -> int:
    """``decoder_in`` for a decoder that reads vectors only; a map is a ConfigError."""
    if isinstance(decoder_in, MapInput):
        raise ConfigError(f"model.arch={arch} reads z as a vector, and this latent hands the "
                          "decoder a feature map: use model.arch=conv or model.arch=resnet")
    return decoder_in
