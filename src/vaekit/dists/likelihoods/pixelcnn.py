"""An autoregressive p(x|z): a gated PixelCNN over the pixels in raster order, conditioned on z.

    log p(x|z) = sum_i log p(x_i | x_<i, h(z))

The decoder's output h(z) (``conditioning`` channels per data channel, at full resolution) enters
every layer; the network reads x through shifted convolutions (PixelCNN++, Salimans et al.
2017): a "down" stream whose row r sees the rows above r, and a "down-right" stream whose pixel
(r, c) also sees the pixels left of it on row r, so the receptive field has no blind spot.
Each pixel's channels then get a ``base`` likelihood (Bernoulli, discretized logistic, ...) from
a 1x1 head, so log p(x|z) is exact and trains in one parallel pass; sampling (and ``mean``, the
conditional means fed forward pixel by pixel) takes H * W passes of the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit import registry
from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood
from vaekit.errors import ConfigError
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne


class ShiftedConv(nn.Conv2d):
    """A convolution whose output at (r, c) reads rows r-kh+1..r and columns c-(kw-1)//2..c+kw//2
    ("down": centred) or c-kw+1..c ("down_right"); padded so the size is kept."""

    def __init__(self, cin: int, cout: int, kernel: tuple[int, int], right: bool) -> None:
        super().__init__(cin, cout, kernel)
        kh, kw = kernel
        self.pad = (kw - 1, 0, kh - 1, 0) if right else ((kw - 1) // 2, kw // 2, kh - 1, 0)

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(F.pad(x, self.pad))


def down_shift(x: Tensor) -> Tensor:
    """Row r takes row r-1 (zeros on top): what row r reads comes from strictly above it.
    (The negative padding crops the last row in the same copy: a dense map, not a view.)"""
    return F.pad(x, (0, 0, 1, -1))


def right_shift(x: Tensor) -> Tensor:
    """Column c takes column c-1 (zeros on the left)."""
    return F.pad(x, (1, -1, 0, 0))


class GatedResidual(nn.Module):
    """x + a * sigmoid(b), [a, b] = conv(elu(conv(elu(x)) + skip(elu(extra)))) + cond(h)."""

    def __init__(self, channels: int, cond: int, kernel: tuple[int, int], right: bool,
                 extra: bool) -> None:
        super().__init__()
        self.conv1 = ShiftedConv(channels, channels, kernel, right)
        self.skip = nn.Conv2d(channels, channels, 1) if extra else None
        self.conv2 = ShiftedConv(channels, 2 * channels, kernel, right)
        self.cond = nn.Conv2d(cond, 2 * channels, 1)

    def forward(self, x: Tensor, h: Tensor, extra: Tensor | None = None) -> Tensor:
        t = self.conv1(F.elu(x))
        if self.skip is not None and extra is not None:
            t = t + self.skip(F.elu(extra))
        # A channel slice of a channels-last map is strided: sigmoid runs ~8x slower on it
        # than on a dense copy (2 cores, bf16), so the halves are made dense first.
        a, b = (half.contiguous(memory_format=torch.channels_last)
                for half in (self.conv2(F.elu(t)) + self.cond(h)).chunk(2, 1))
        return x + a * torch.sigmoid(b)


class PixelNet(nn.Module):
    """(x, h) -> base likelihood parameters per pixel: (B, k*C, H, W), pixel i from x_<i only."""

    def __init__(self, c: int, cond: int, out: int, channels: int, layers: int) -> None:
        super().__init__()
        self.u_in = ShiftedConv(c, channels, (2, 3), right=False)
        self.ul_in_up = ShiftedConv(c, channels, (1, 3), right=False)
        self.ul_in_left = ShiftedConv(c, channels, (2, 1), right=True)
        self.u = nn.ModuleList(GatedResidual(channels, cond, (2, 3), False, False)
                               for _ in range(layers))
        self.ul = nn.ModuleList(GatedResidual(channels, cond, (2, 2), True, True)
                                for _ in range(layers))
        self.head = nn.Conv2d(channels, out, 1)
        self.head_cond = nn.Conv2d(cond, out, 1)  # h alone is a plain decoder's output
        # Rows above r that reach row r: three through the input convolutions, the down shift
        # and the skip into the down-right stream, two per block (two convolutions of height 2).
        self.reach = 3 + 2 * layers

    def forward(self, x: Tensor, h: Tensor) -> Tensor:
        h = h.contiguous(memory_format=torch.channels_last)  # once, not in every 1x1 conv
        u = down_shift(self.u_in(x))
        ul = down_shift(self.ul_in_up(x)) + right_shift(self.ul_in_left(x))
        for up, upleft in zip(self.u, self.ul, strict=True):
            u = up(u, h)
            ul = upleft(ul, h, u)
        return self.head(F.elu(ul)) + self.head_cond(h)


class AutoregressiveDist(FactorizedDist):
    """p(x | z) for the conditioning map ``h``: (B, cond, H, W) of one batch of z."""

    def __init__(self, owner: PixelCNN, h: Tensor) -> None:
        super().__init__(3)
        self.owner, self.h = owner, h
        self.discrete = owner.discrete

    def _base(self, x: Tensor, h: Tensor) -> FactorizedDist:
        return self.owner.base(self.owner.net(x, h))

    def log_prob_elementwise(self, x: Tensor) -> Tensor:
        return self._base(x, self.h).log_prob_elementwise(x)

    def prediction(self, x: Tensor) -> Tensor:
        """E[x_i | x_<i, z] for every pixel i of ``x``, in one pass."""
        return self._base(x, self.h).mean

    def _rollout(self, generator: torch.Generator | None, draw: bool) -> Tensor:
        """Pixel by pixel in raster order: pixel (r, c) gets a draw from p(. | pixels so far)
        (``draw``) or its conditional mean. Row r reads only rows r - reach..r, so each pass
        reads those alone."""
        b, _, height, width = self.h.shape
        x = self.h.new_zeros(b, self.owner.channels, height, width)
        with torch.no_grad():
            for r in range(height):
                top = max(0, r - self.owner.net.reach)
                for c in range(width):
                    d = self._base(x[:, :, top : r + 1], self.h[:, :, top : r + 1])
                    x[:, :, r, c] = (d.sample(generator) if draw else d.mean)[:, :, -1, c]
        return x

    @property
    def mean(self) -> Tensor:
        """The conditional means along the roll-out that feeds each pixel's mean forward: a
        deterministic picture of p(x|z) (its exact mean is intractable). H * W passes."""
        return self._rollout(None, draw=False)

    def mean_of(self, w: Tensor) -> Tensor:
        """For the K * B draws with weights ``w`` (K, B): the roll-out of ``mean`` for each
        example's most heavily weighted draw (the mixture's mean is as intractable as one
        draw's; this keeps it at B roll-outs, not K * B)."""
        k, b = w.shape
        h = self.h.reshape(k, b, *self.h.shape[1:])[w.argmax(0), torch.arange(b, device=w.device)]
        return AutoregressiveDist(self.owner, h).mean

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        """An exact draw of x ~ p(x|z), pixel by pixel (H * W passes of the network)."""
        return self._rollout(generator, draw=True)


@register("likelihood", "pixelcnn")
class PixelCNN(Likelihood):
    """A gated PixelCNN of ``layers`` residual blocks of ``channels`` feature maps over pixels,
    each pixel's channels a ``base`` likelihood (with its ``base_args``) given the pixels before
    it and the decoder's ``conditioning`` channels per data channel. Images only."""

    net: PixelNet

    def __init__(self, base: str = "bernoulli", base_args: Mapping[str, Any] | None = None,
                 layers: AtLeastOne = 4, channels: AtLeastOne = 32,
                 conditioning: AtLeastOne = 4) -> None:
        super().__init__()
        if base == "pixelcnn":
            raise ConfigError("likelihood 'pixelcnn': its base must be a per-pixel likelihood")
        args = dict(base_args or {})
        self.base = registry.get("likelihood", base)(**registry.bind("likelihood", base, args))
        self.base.registered_name = base
        self.base_name, self.base_args = base, args
        self.params_per_dim = int(conditioning)
        self.layers, self.width = int(layers), int(channels)
        self.discrete = self.base.discrete
        self.binary_only = self.base.binary_only
        self.support = self.base.support
        self.channels = 0

    def setup(self, shape: tuple[int, ...]) -> None:
        """The network for images of ``shape`` (C, H, W); rows are refused."""
        if len(shape) != 3:
            raise ConfigError(f"likelihood 'pixelcnn' models images (C, H, W), got examples of "
                              f"shape {tuple(shape)}; use another likelihood for rows")
        self.channels = c = shape[0]
        self.base.setup(shape)  # a base over a pixel's channels together sizes itself by C
        self.net = PixelNet(c, self.params_per_dim * c, self.base.params_per_dim * c,
                            self.width, self.layers)
        # Channels-last weights: oneDNN then runs every convolution in NHWC, 1.2-1.4x the
        # training steps per second of NCHW here (2 cores, 28x28, batch 128).
        self.net.to(memory_format=torch.channels_last)

    def forward(self, params: Tensor) -> AutoregressiveDist:
        return AutoregressiveDist(self, params)

    def check_support(self, x: Tensor, binarized: bool) -> None:
        self.base.check_support(x, binarized)
