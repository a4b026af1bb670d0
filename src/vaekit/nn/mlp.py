"""Fully connected encoder/decoder bodies; hidden=[] makes both linear."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from torch import nn

from vaekit.errors import ConfigError
from vaekit.nn.base import Arch, MapInput, vector_input
from vaekit.registry import register


def _stack(sizes: list[int]) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return layers


@register("arch", "mlp")
def build_mlp(
    shape: tuple[int, ...], decoder_in: int | MapInput, params_per_dim: int,
    hidden: Sequence[int] = (400,),
) -> Arch:
    """Encoder D -> hidden... (ReLU); decoder decoder_in -> reversed(hidden) -> k*D.

    ``shape``: one example's shape, (C, H, W) or (D,); the decoder restores it with k*C channels.
    """
    hidden = [int(h) for h in hidden]
    if any(h < 1 for h in hidden):
        raise ConfigError(f"model.hidden: layer sizes must be positive, got {hidden}")
    d = math.prod(shape)
    decoder_in = vector_input(decoder_in, "mlp")
    encoder = nn.Sequential(nn.Flatten(), *_stack([d, *hidden]))
    back = [decoder_in, *reversed(hidden)]
    out_shape = (params_per_dim * shape[0], *shape[1:])
    decoder = nn.Sequential(
        *_stack(back), nn.Linear(back[-1], params_per_dim * d), nn.Unflatten(1, out_shape)
    )
    return Arch(encoder=encoder, feature_dim=hidden[-1] if hidden else d, decoder=decoder)
