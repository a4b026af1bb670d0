"""Paths between latent codes: linear and spherical interpolation, and their decoded images."""

from __future__ import annotations

import torch
from torch import Tensor

from vaekit.explore.labels import decode_labels
from vaekit.model.vae import VAE


def _fractions(steps: int, like: Tensor) -> Tensor:
    """(steps, 1) fractions t from 0 to 1 inclusive."""
    if steps < 2:
        raise ValueError(f"an interpolation needs at least 2 steps, got {steps}")
    return torch.linspace(0, 1, steps, dtype=like.dtype, device=like.device)[:, None]


def lerp(z1: Tensor, z2: Tensor, steps: int) -> Tensor:
    """Linear path z(t) = (1 - t) z1 + t z2, t = 0 .. 1: z1, z2 (L,) -> (steps, L).

    The first row is exactly z1 and the last exactly z2.
    """
    t = _fractions(steps, z1)
    path = (1 - t) * z1 + t * z2
    path[0], path[-1] = z1, z2
    return path


def slerp(z1: Tensor, z2: Tensor, steps: int, eps: float = 1e-7) -> Tensor:
    """Spherical path: z1, z2 (L,) -> (steps, L), endpoints exactly z1 and z2.

    The direction moves along the great circle between z1/|z1| and z2/|z2| at constant angular
    speed, and the norm goes linearly from |z1| to |z2| (constant when they are equal). Under a
    N(0, I) prior codes live near the shell |z| ~ sqrt(L); a straight line cuts through its
    low-norm interior, this path does not (White 2016). Falls back to ``lerp`` when a code is
    zero or the two directions are (anti)parallel, where the great circle is undefined.
    """
    n1, n2 = z1.norm(), z2.norm()
    if n1 < eps or n2 < eps:
        return lerp(z1, z2, steps)
    u1, u2 = z1 / n1, z2 / n2
    omega = torch.arccos((u1 @ u2).clamp(-1, 1))
    if omega < 1e-4 or torch.pi - omega < 1e-4:
        return lerp(z1, z2, steps)
    t = _fractions(steps, z1)
    direction = (torch.sin((1 - t) * omega) * u1 + torch.sin(t * omega) * u2) / torch.sin(omega)
    path = direction * ((1 - t) * n1 + t * n2)
    path[0], path[-1] = z1, z2
    return path


@torch.no_grad()
def interpolation_paths(model: VAE, xa: Tensor, xb: Tensor, steps: int = 10,
                        spherical: bool = False, ya: Tensor | None = None,
                        yb: Tensor | None = None) -> Tensor:
    """Decoded paths between the posterior means of pairs of examples.

    xa, xb: (P, *shape) data as the likelihood sees it; ya, yb: (P,) labels or None.
    Returns (P, steps, *shape) likelihood means; step 0 decodes E_q[z|xa], the last E_q[z|xb].
    A conditional model decodes the whole path with the label of ``xa``.
    """
    device = model.device
    za = model.encode(xa.to(device), None if ya is None else ya.to(device)).mean
    zb = model.encode(xb.to(device), None if yb is None else yb.to(device)).mean
    path = slerp if spherical else lerp
    codes = torch.stack([path(a, b, steps) for a, b in zip(za, zb, strict=True)])  # (P, S, L)
    labels = decode_labels(model, len(xa), ya)
    if labels is not None:
        labels = labels.repeat_interleave(steps)
    decoded = model.decode(codes.flatten(0, 1), labels).mean
    return decoded.reshape(len(xa), steps, *decoded.shape[1:]).cpu()
