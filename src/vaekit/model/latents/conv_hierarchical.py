"""A deep top-down hierarchy on feature maps (the NVAE / VDVAE family).

The seam: the encoder's last feature map (C_e, h, w) is where this module starts, and a map of
the same resolution is what it hands the decoder. Between them:

- **Groups on scales.** ``groups`` lists how many stochastic groups live at each scale, coarsest
  first; scale s has a map of ceil(h / 2^s) x ceil(w / 2^s) (the last entry is the encoder's own
  resolution). Each group z_g is a map of ``model.latent_dim`` channels at its scale.
- **Bottom-up**, a 1x1 conv then one residual cell per group (bottom first, average-pooled
  between scales) gives each group its bottom-up state b_g.
- **Top-down**, a learned map at the coarsest scale starts the state s; per group, top first:
  s = cell(s) (upsampled between scales), the prior p(z_g | z_>g) = N(mu_p(s), sigma_p(s))
  (N(0, I) for the top group, or ``model.prior``: a VampPrior or a learned mixture), the
  posterior a residual correction of it (NVAE):
  q(z_g | z_>g, x) = N(mu_p + dmu(s, b_g), exp(logvar_p + dlogvar(s, b_g))), then s = s + W z_g;
  the top group's posterior is N(dmu, exp(dlogvar)) itself.
  A last cell gives the decoder's input: the state after every group, so the decoder reads them
  all.

z is the groups' maps flattened (channels first) and concatenated bottom group first, so the
posterior and prior objects, per-group KL, free bits and active units are the ladder's
(``ladder.py``): ``layer_sizes()`` lists each group's size, c * h_g * w_g.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit.dists.gaussian import DiagGaussian, StandardNormal
from vaekit.dists.protocols import Prior
from vaekit.errors import ConfigError
from vaekit.model.latents.base import LatentCaps
from vaekit.model.latents.hierarchical import Pick
from vaekit.model.latents.ladder import LadderPosterior, LadderPrior, Path
from vaekit.nn.base import MapInput
from vaekit.nn.resnet import Residual
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne

GROUPS, CHANNELS = (1, 2), 64


def _soft(logvar: Tensor) -> Tensor:
    """Log-variances softly held in (-10, 10) (as NVAE clamps its log-scales): no exp overflow."""
    return 10.0 * torch.tanh(logvar / 10.0)


def _repeat(t: Tensor, rows: int) -> Tensor:
    """(B, ...) -> (rows, ...) by whole copies, sample-major like a (n, B, ...) reshape."""
    return t if t.shape[0] == rows else t.repeat(rows // t.shape[0], *([1] * (t.dim() - 1)))


@register("latent", "conv_hierarchical")
class ConvLadderLatent(nn.Module):
    """Features h: (B, C_e*h*w) -> LadderPosterior over z: (B, sum_g latent_dim * h_g * w_g).

    ``groups``: stochastic groups per scale, coarsest first (``[1, 2]``: one group at half the
    encoder's resolution, two at it); ``channels``: width of the residual state.
    """

    caps = LatentCaps(feature_map=True, prior_on_top=True)

    def __init__(self, feature_dim: int, latent_dim: int,
                 feature_map: tuple[int, int, int] | None = None,
                 groups: Sequence[int] = GROUPS, channels: AtLeastOne = CHANNELS) -> None:
        super().__init__()
        if feature_map is None:
            raise ConfigError("model.latent=conv_hierarchical works on the encoder's feature map: "
                              "use model.arch=conv or model.arch=resnet")
        groups = [int(g) for g in groups]
        if not groups or min(groups) < 1:
            raise ValueError("groups must list, coarsest scale first, how many groups live at "
                             "each scale (at least one at each)")
        self.feature_map = tuple(feature_map)
        c_e, h, w = feature_map
        scales = len(groups)
        sizes = [(math.ceil(h / 2**s), math.ceil(w / 2**s)) for s in range(scales)]
        # Group g (bottom first) lives at scale scale_of[g]; groups[0] is the coarsest scale.
        self.scale_of = [scales - 1 - i for i, n in enumerate(groups) for _ in range(n)][::-1]
        self.hw = [sizes[s] for s in self.scale_of]
        self.c = latent_dim
        self.sizes = [latent_dim * a * b for a, b in self.hw]
        self.latent_dim = sum(self.sizes)
        n = len(self.sizes)
        self.stem = nn.Conv2d(c_e, channels, 1)
        self.up = nn.ModuleList(Residual(channels) for _ in range(n))
        self.start = nn.Parameter(torch.zeros(1, channels, *self.hw[-1]))
        self.cells = nn.ModuleList(Residual(channels) for _ in range(n))
        self.prior_heads = nn.ModuleList(nn.Conv2d(channels, 2 * latent_dim, 3, padding=1)
                                         for _ in range(n - 1))
        self.post_heads = nn.ModuleList(
            nn.Sequential(nn.Conv2d(2 * channels, channels, 3, padding=1), nn.SiLU(),
                          nn.Conv2d(channels, 2 * latent_dim, 3, padding=1))
            for _ in range(n))
        self.z_in = nn.ModuleList(nn.Conv2d(latent_dim, channels, 1) for _ in range(n))
        self.out = Residual(channels)
        self.top_prior: Prior = StandardNormal(self.sizes[-1])
        self.to(memory_format=torch.channels_last)

    @classmethod
    def decoder_dim(cls, latent_dim: int, args: Mapping[str, Any]) -> MapInput:
        """The decoder reads the top-down state: ``channels`` maps at the encoder's resolution."""
        return MapInput(int(args.get("channels", CHANNELS)))

    def own_prior(self) -> LadderPrior:
        """The top-down path is the prior: N(0, I) (or the model's prior) for the top group,
        p(z_g | z_>g) below."""
        return LadderPrior(self, self.top_prior)

    def top_posterior(self, h: Tensor) -> DiagGaussian:
        """q(z_top | x) from encoder features h (B, C_e*h*w): the top group's bottom-up state
        read against the first top-down state."""
        b = self.forward(h).estimates[-1]
        return self._gaussian(self._correction(-1, self.cells[-1](self.start), b, len(b)),
                              (len(b),))

    def put_prior_on_top(self, prior: Prior) -> None:
        self.top_prior = prior  # an nn.Module prior registers as the submodule ``top_prior``

    def layer_sizes(self) -> list[int]:
        return list(self.sizes)

    def forward(self, h: Tensor) -> LadderPosterior:
        """Bottom-up pass: one state map per group, bottom first."""
        d = self.stem(h.view(h.shape[0], *self.feature_map)
                      .contiguous(memory_format=torch.channels_last))
        states = []
        for g, cell in enumerate(self.up):
            if d.shape[-2:] != self.hw[g]:
                d = F.adaptive_avg_pool2d(d, self.hw[g])
            d = cell(d)
            states.append(d)
        return LadderPosterior(self, states)

    def _gaussian(self, params: Tensor, lead: tuple[int, ...]) -> DiagGaussian:
        """(rows, 2c, h, w) -> N(mu, exp(logvar)) over (*lead, c*h*w), maps flattened channels
        first."""
        mu, logvar = (t.flatten(1).reshape(*lead, -1) for t in params.chunk(2, 1))
        return DiagGaussian(mu, _soft(logvar))

    def descend(self, estimates: list[Tensor] | None, pick: Pick) -> Path:
        """The top-down walk shared by inference, evaluation, generation and the readout.

        At group g (from the top): p_g is the top prior on top, else N(mu_p(s), sigma_p(s)); q_g (None
        without ``estimates``: generation) corrects p_g from s and the bottom-up state; then
        z_g = pick(g, q_g, p_g) and s = s + W z_g. z: (..., B, sum of sizes), leading sample
        dimensions as ``pick`` draws them on top.
        """
        path, _ = self._walk(estimates, pick)
        return path

    def _walk(self, estimates: list[Tensor] | None, pick: Pick) -> tuple[Path, Tensor]:
        n = len(self.sizes)
        zs: list[Tensor] = [torch.empty(0)] * n
        qs: list[DiagGaussian | None] = [None] * n
        ps: list[Any] = [self.top_prior] * n
        s, lead = self.start, (estimates[0].shape[0],) if estimates is not None else None
        for g in reversed(range(n)):
            if s.shape[-2:] != self.hw[g]:
                s = F.interpolate(s, size=self.hw[g], mode="nearest")
            s = self.cells[g](s)
            if g < n - 1:
                ps[g] = self._gaussian(self.prior_heads[g](s), lead)  # type: ignore[arg-type]
            if estimates is not None:
                rows = s.shape[0] if g < n - 1 else estimates[g].shape[0]
                delta = self._correction(g, s, estimates[g], rows)
                qs[g] = (self._gaussian(delta, lead) if g == n - 1  # type: ignore[arg-type]
                         else self._posterior(ps[g], delta, lead))
            zs[g] = pick(g, qs[g], ps[g])
            lead = tuple(zs[g].shape[:-1])
            rows = math.prod(lead)
            hg, wg = self.hw[g]
            zmap = zs[g].reshape(rows, self.c, hg, wg).contiguous(memory_format=torch.channels_last)
            s = _repeat(s, rows) + self.z_in[g](zmap)
        state = self.out(s)
        return Path(torch.cat(zs, -1), qs, ps, state), state

    def _correction(self, g: int, s: Tensor, b: Tensor, rows: int) -> Tensor:
        """Group g's posterior head on the top-down state s and the bottom-up state b, both
        repeated to ``rows``: (rows, 2c, h, w)."""
        return self.post_heads[g](torch.cat([_repeat(s, rows), _repeat(b, rows)], 1))

    def _posterior(self, prior: DiagGaussian, delta: Tensor, lead: tuple[int, ...]) -> DiagGaussian:
        """q = N(mu_p + dmu, exp(logvar_p + dlogvar)): the prior p(z_g | z_>g) corrected (NVAE)."""
        dq = self._gaussian(delta, lead)
        return DiagGaussian(prior.mu + dq.mu, _soft(prior.logvar + dq.logvar))

    def readout(self, z: Tensor) -> Tensor:
        """The decoder's input for z (..., sum of sizes): the top-down state after every group,
        (N, channels, h, w) with N the leading dimensions' product, by a walk given z. A draw of
        the posterior carries its own (``Draw.readout``, ``Path.state``): no second walk."""
        parts = z.split(self.sizes, -1)
        return self._walk(None, lambda g, q, p: parts[g])[1]
