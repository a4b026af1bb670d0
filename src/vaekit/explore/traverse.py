"""Latent traversals: vary one dimension at a time, the others fixed at a base code."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from vaekit.eval.elbo import active_units
from vaekit.explore.labels import decode_labels
from vaekit.model.vae import VAE


@dataclass
class LatentStats:
    """Per-dimension statistics of the posterior over a split.

    ``kl``: (L,) mean over examples of KL(q(z_d|x) || p(z_d)), nats, or None where the KL has no
    closed form per dimension (an autoencoder's point mass, a code grid, a mixture prior such as
    a mixture prior); ``variance``: (L,) Var_x(E_q[z_d|x]);
    ``active``: (L,) bool, variance > 0.01 (Burda et al. 2015); ``means``: (N, L) posterior means.
    """

    kl: Tensor | None
    variance: Tensor
    active: Tensor
    means: Tensor

    def order(self) -> list[int]:
        """Dimensions by decreasing KL (the most informative first), else by decreasing variance."""
        key = self.kl if self.kl is not None else self.variance
        return [int(d) for d in torch.argsort(key, descending=True, stable=True)]


@torch.no_grad()
def latent_stats(model: VAE, x: Tensor, y: Tensor | None = None,
                 batch_size: int = 1000) -> LatentStats:
    """Encode x: (N, *shape) (as the likelihood sees it; labels y (N,) or None) in batches."""
    kls: list[Tensor] | None = []
    means = []
    for i in range(0, len(x), batch_size):
        yi = None if y is None else y[i : i + batch_size].to(model.device)
        q = model.encode(x[i : i + batch_size].to(model.device), yi)
        means.append(q.mean.float().flatten(1).cpu())
        if kls is not None:
            kl = q.kl_per_dim(model.prior)  # None: no closed form per dimension (a mixture prior)
            if kl is None:
                kls = None
            else:
                kls.append(kl.double().flatten(1).sum(0).cpu())
    mu = torch.cat(means)
    kl = None if not kls else (torch.stack(kls).sum(0) / len(x)).float()
    return LatentStats(kl=kl, variance=mu.var(0), active=active_units(mu), means=mu)


def traversal_codes(base: Tensor, dims: list[int], values: Tensor) -> Tensor:
    """base: (L,), values: (S, L) or (S,) -> (len(dims), S, L): row r is ``base`` with
    z[dims[r]] = values[:, dims[r]] (or ``values`` itself when it is 1-D).

    Every other coordinate keeps the base value (Higgins et al. 2017 traverse each z_d over a
    fixed range of the prior's scale while the others stay at an inferred code).
    """
    codes = base.reshape(1, 1, -1).repeat(len(dims), len(values), 1)
    for r, d in enumerate(dims):
        codes[r, :, d] = (values[:, d] if values.dim() == 2 else values).to(base)
    return codes


@torch.no_grad()
def traverse(model: VAE, base: Tensor, dims: list[int], span: float = 3.0,
             steps: int = 9, label: int | None = None) -> Tensor:
    """Decoded traversals: (len(dims), steps, *shape) likelihood means.

    base: (L,) code; dimension d of row r sweeps ``steps`` evenly spaced values in
    center_d + [-span, span] * scale_d, the prior's mean and standard deviation of z_d (exactly
    [-span, span] under N(0, I)). ``label``: the class a conditional model decodes with
    (default 0).
    """
    prior = model.prior
    values = prior.center()[None] + torch.linspace(-span, span, steps)[:, None] * prior.scale()[None]
    codes = traversal_codes(base.to(model.device).float(), dims, values)
    labels = decode_labels(model, len(dims) * steps, label)
    decoded = model.decode(codes.flatten(0, 1), labels).mean
    return decoded.reshape(len(dims), steps, *decoded.shape[1:]).cpu()
