"""Residual convolutional encoder / decoder for any image size, with channels-last weights.

Each stage is a stride-2 conv followed by pre-activation residual blocks; the decoder mirrors
it with transposed convs that restore odd sizes exactly. The encoder's features are a flattened
(channels, h, w) map, channels first, so it serves the Gaussian, hierarchical and
vector-quantized latents alike (under the last, each of the T = h*w codes is one spatial cell).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from vaekit.errors import ConfigError
from vaekit.nn.base import Arch, MapInput, decoder_head
from vaekit.registry import register


class Residual(nn.Module):
    """x + conv3x3(SiLU(conv3x3(SiLU(x)))): (B, C, H, W) -> (B, C, H, W).

    The branch's last conv starts at zero, so a fresh block is the identity and a deep stack
    trains as stably as a shallow one.
    """

    def __init__(self, c: int) -> None:
        super().__init__()
        last = nn.Conv2d(c, c, 3, padding=1)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        self.branch = nn.Sequential(nn.SiLU(), nn.Conv2d(c, c, 3, padding=1), nn.SiLU(), last)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.branch(x)


def _sizes(h: int, stages: int) -> list[int]:
    """Spatial size after each stride-2 stage (kernel 4, padding 1): floor(h / 2)."""
    return [h // 2**i for i in range(stages + 1)]


@register("arch", "resnet")
def build_resnet(
    shape: tuple[int, ...], decoder_in: int | MapInput, params_per_dim: int,
    channels: Sequence[int] = (32, 64), blocks: int = 1,
) -> Arch:
    """Each entry of ``channels`` is one stride-2 stage plus ``blocks`` residual blocks.

    Encoder: x (B, C, H, W) -> (B, channels[-1] * h * w) with h, w = H // 2**n, W // 2**n for
    n = len(channels) stages. Decoder: (B, decoder_in) -> (B, params_per_dim * C, H, W), any H, W
    >= 2**n, odd sizes included.
    """
    if len(shape) != 3:
        raise ConfigError(f"model.arch=resnet needs image data (C, H, W), got shape {shape}; "
                          "use model.arch=mlp for tabular data")
    channels = list(channels)
    if not channels:
        raise ConfigError("model.channels must list at least one resnet stage")
    if isinstance(blocks, bool) or not isinstance(blocks, int) or blocks < 1:
        raise ConfigError(f"model.blocks must be an integer >= 1, got {blocks!r}")
    c, h, w = shape
    hs, ws = _sizes(h, len(channels)), _sizes(w, len(channels))
    if hs[-1] < 1 or ws[-1] < 1:
        raise ConfigError(f"images of {h}x{w} are too small for {len(channels)} resnet stages; "
                          "use fewer entries in model.channels")
    enc: list[nn.Module] = []
    for i, (a, b) in enumerate(zip([c, *channels[:-1]], channels, strict=True)):
        # Pre-activation: the residual stream stays linear, so activate before each new conv.
        if i > 0:
            enc.append(nn.SiLU())
        enc += [nn.Conv2d(a, b, 4, stride=2, padding=1), *(Residual(b) for _ in range(blocks))]
    feat = channels[-1] * hs[-1] * ws[-1]
    encoder = nn.Sequential(*enc, nn.SiLU(), nn.Flatten())

    dec = decoder_head(decoder_in, (channels[-1], hs[-1], ws[-1]), None)
    outs = [*reversed(channels[:-1]), params_per_dim * c]
    for i, (a, b) in enumerate(zip(reversed(channels), outs, strict=True)):
        # ConvTranspose (k4, s2, p1) doubles the size; output_padding restores an odd size.
        stage = len(channels) - i
        pad = (hs[stage - 1] - 2 * hs[stage], ws[stage - 1] - 2 * ws[stage])
        dec += [Residual(a) for _ in range(blocks)]
        dec += [nn.SiLU(), nn.ConvTranspose2d(a, b, 4, stride=2, padding=1, output_padding=pad)]
    decoder = nn.Sequential(*dec)
    # Channels-last weights let oneDNN run every convolution in NHWC, as in conv.py (see there);
    # the values, the state_dict keys and the saved files are unchanged.
    for part in (encoder, decoder):
        part.to(memory_format=torch.channels_last)
    return Arch(encoder=encoder, feature_dim=feat, decoder=decoder,
                feature_map=(channels[-1], hs[-1], ws[-1]))
