"""A RealNVP flow as p(z) (Dinh et al. 2017): N(0, I) pushed through affine coupling layers.

Coupling layer c keeps the coordinates of one parity (even, then odd, alternating) and moves
the others by an affine map of them:

    z = a * u + (1 - a) * (u * exp(s(a * u)) + t(a * u)),   a: the kept coordinates' mask,

so both directions are one pass and log p(z) is exact:

    log p(z) = log N(u; 0, I) - sum_c sum_i (1 - a_c,i) s_c,i,   u = f^-1(z).

The scales are bounded (``tanh``) and the last layer of each network starts at zero, so the
prior starts as N(0, I). It has no closed-form KL against q(z|x): the KL is the Monte Carlo
estimate at each draw. Example config::

    model.prior: realnvp
    model.prior_args: {couplings: 4, hidden: 64}
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from vaekit.dists.gaussian import LOG_2PI
from vaekit.dists.priors.base import PriorContext
from vaekit.dists.protocols import sampled_moments
from vaekit.registry import register
from vaekit.registry.constraints import AtLeastOne


class Coupling(nn.Module):
    """One affine coupling layer over ``dim`` coordinates; ``parity`` picks the kept ones."""

    def __init__(self, dim: int, hidden: int, parity: int) -> None:
        super().__init__()
        self.register_buffer("keep", (torch.arange(dim) % 2 == parity).float(), persistent=False)
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ELU(), nn.Linear(hidden, hidden),
                                 nn.ELU(), nn.Linear(hidden, 2 * dim))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def _shift_scale(self, kept: Tensor) -> tuple[Tensor, Tensor]:
        s, t = self.net(kept).chunk(2, -1)
        moved = 1 - self.keep
        return torch.tanh(s) * moved, t * moved

    def forward(self, u: Tensor) -> Tensor:
        """u -> z, (..., dim)."""
        s, t = self._shift_scale(u * self.keep)
        return u * torch.exp(s) + t

    def inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """z -> (u, log|det du/dz| (...,))."""
        s, t = self._shift_scale(z * self.keep)
        return (z - t) * torch.exp(-s), -s.sum(-1)


class RealNvpPrior(nn.Module):
    """p(z) over ``dim`` numbers: ``couplings`` layers of width ``hidden``, saved with the model."""

    standard_normal = False

    def __init__(self, dim: int, couplings: int = 4, hidden: int = 64) -> None:
        super().__init__()
        self.dim = int(dim)
        self.layers = nn.ModuleList(Coupling(self.dim, hidden, c % 2) for c in range(couplings))
        self.description = f"RealNVP flow of {couplings} coupling layers over N(0, I)"

    def log_prob(self, z: Tensor) -> Tensor:
        """log p(z): z (..., dim) -> (...,) nats, exact (change of variables to N(0, I))."""
        log_det = torch.zeros(z.shape[:-1], dtype=z.dtype, device=z.device)
        for layer in reversed(self.layers):
            z, part = layer.inverse(z)
            log_det = log_det + part
        return -0.5 * (LOG_2PI + z**2).sum(-1) + log_det

    @torch.no_grad()
    def sample(self, n: int, device: torch.device | str = "cpu", temperature: float = 1.0,
               generator: torch.Generator | None = None) -> Tensor:
        """(n, dim) draws: u ~ N(0, temperature^2 I) pushed through the layers."""
        z = torch.randn(n, self.dim, generator=generator, device=device) * temperature
        for layer in self.layers:
            z = layer(z)
        return z

    def gaussian(self) -> None:
        """None: a flow is not one Gaussian, so its KL is estimated by Monte Carlo."""
        return None

    def center(self) -> Tensor:
        return self._moments()[0]

    def scale(self) -> Tensor:
        return self._moments()[1]

    def _moments(self) -> tuple[Tensor, Tensor]:
        params = list(self.parameters())
        return sampled_moments(self, params, params[0].device)


@register("prior", "realnvp")
def realnvp(ctx: PriorContext, couplings: AtLeastOne = 4, hidden: AtLeastOne = 64) -> RealNvpPrior:
    """N(0, I) through ``couplings`` affine coupling layers with networks of width ``hidden``."""
    return RealNvpPrior(ctx.latent_dim, couplings, hidden)
