"""Strided convolutional encoder / transposed-convolutional decoder for any image size."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from vaekit.errors import ConfigError
from vaekit.nn.base import Arch, MapInput, decoder_head
from vaekit.registry import register


def _sizes(h: int, stages: int) -> list[int]:
    """Spatial size after each stride-2 stage (kernel 4, padding 1): floor(h / 2)."""
    out = [h]
    for _ in range(stages):
        out.append(out[-1] // 2)
    return out


@register("arch", "conv")
def build_conv(
    shape: tuple[int, ...], decoder_in: int | MapInput, params_per_dim: int,
    channels: Sequence[int] = (32, 64),
) -> Arch:
    """Each entry of ``channels`` is one stride-2 conv stage (ReLU); the decoder mirrors them.

    Works for any (C, H, W) with H, W >= 2 ** len(channels); odd sizes are restored exactly.
    """
    if len(shape) != 3:
        raise ConfigError(f"model.arch=conv needs image data (C, H, W), got shape {shape}; "
                          "use model.arch=mlp for tabular data")
    channels = [int(ch) for ch in channels]
    if not channels or min(channels) < 1:
        raise ConfigError("model.channels must list at least one conv stage, all positive")
    c, h, w = shape
    hs, ws = _sizes(h, len(channels)), _sizes(w, len(channels))
    if hs[-1] < 1 or ws[-1] < 1:
        raise ConfigError(f"images of {h}x{w} are too small for {len(channels)} conv stages; "
                          "use fewer entries in model.channels")
    enc: list[nn.Module] = []
    for a, b in zip([c, *channels[:-1]], channels, strict=True):
        enc += [nn.Conv2d(a, b, 4, stride=2, padding=1), nn.ReLU()]
    feat = channels[-1] * hs[-1] * ws[-1]
    encoder = nn.Sequential(*enc, nn.Flatten())

    dec = decoder_head(decoder_in, (channels[-1], hs[-1], ws[-1]), nn.ReLU)
    outs = [*reversed(channels[:-1]), params_per_dim * c]
    ins = list(reversed(channels))
    for i, (a, b) in enumerate(zip(ins, outs, strict=True)):
        # ConvTranspose (k4, s2, p1) doubles the size; output_padding restores an odd size.
        stage = len(channels) - i
        pad = (hs[stage - 1] - 2 * hs[stage], ws[stage - 1] - 2 * ws[stage])
        dec.append(nn.ConvTranspose2d(a, b, 4, stride=2, padding=1, output_padding=pad))
        if i < len(outs) - 1:
            dec.append(nn.ReLU())
    decoder = nn.Sequential(*dec)
    # Channels-last conv weights make oneDNN run every convolution (the transposed ones above
    # all) in NHWC: 1.16x the training samples/s of NCHW on a 2-core CPU (benchmarks/conv.py).
    # The values, the state_dict keys and the saved files are unchanged.
    for part in (encoder, decoder):
        part.to(memory_format=torch.channels_last)
    return Arch(encoder=encoder, feature_dim=feat, decoder=decoder,
                feature_map=(channels[-1], hs[-1], ws[-1]))
