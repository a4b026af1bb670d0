"""The learned 2-D manifold: decode a grid of codes spaced by the prior's quantiles."""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.errors import UserError
from vaekit.explore.labels import decode_labels
from vaekit.model.vae import VAE


class NotTwoDimensional(UserError):
    """The manifold picture needs a model with a 2-D latent."""


def quantile_grid(n: int, margin: float = 0.05) -> Tensor:
    """(n*n, 2) codes: z = Phi^-1(p) for p evenly spaced in [margin, 1 - margin] on each axis.

    Row-major, with z_2 decreasing down the rows and z_1 increasing along them, so the grid
    reads like a plot. Equal prior mass lies between neighbours (Kingma & Welling 2014, fig. 4).
    """
    p = torch.linspace(margin, 1 - margin, n)
    z = torch.distributions.Normal(0.0, 1.0).icdf(p)
    z2, z1 = torch.meshgrid(z.flip(0), z, indexing="ij")
    return torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)


@torch.no_grad()
def manifold(model: VAE, n: int = 20, label: int | None = None) -> Tensor:
    """Decoded quantile grid: (n*n, *shape) likelihood means, row-major as ``quantile_grid``.

    The standard-normal quantiles are placed on the prior's own centre and scale (exactly
    N(0, I)'s quantiles for the standard normal prior). ``label``: the class a conditional model
    decodes with (default 0).
    """
    if model.latent_dim != 2:
        raise NotTwoDimensional(f"the manifold needs a 2-D latent; this model has "
                                f"{model.latent_dim} dimensions (train with "
                                "--set model.latent_dim=2, or use latent-map/traverse)")
    prior = model.prior
    codes = (prior.center() + prior.scale() * quantile_grid(n)).to(model.device)
    return model.decode(codes, decode_labels(model, len(codes), label)).mean.cpu()
