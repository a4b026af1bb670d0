"""Posterior means in two dimensions: identity for a 2-D latent, PCA or t-SNE otherwise."""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from torch import Tensor

Method = Literal["auto", "identity", "pca", "tsne"]


def resolve_method(method: str, latent_dim: int) -> str:
    """``auto``: the codes themselves when the latent has at most 2 dimensions, else PCA.

    PCA is the default because it is deterministic, takes well under a second for 10k points,
    and keeps global distances; t-SNE (``tsne``) separates clusters better but costs minutes
    for thousands of points on a small CPU and its distances between clusters mean little.
    """
    if method == "auto" or latent_dim == 1:
        return "identity" if latent_dim <= 2 else "pca"
    if method == "identity" and latent_dim > 2:
        raise ValueError(f"identity map needs a latent of at most 2 dimensions, not {latent_dim}")
    return method


def embed_2d(means: Tensor, method: str = "auto", seed: int = 0) -> tuple[Tensor, str]:
    """means: (N, L) posterior means -> ((N, 2) points, the method used).

    A 1-D latent is drawn against a zero second axis. PCA axes are the two directions of
    largest variance (signs fixed so each axis' largest loading is positive).
    """
    n, dim = means.shape
    used = resolve_method(method, dim)
    x = means.detach().double().cpu()
    if used == "identity":
        return (x if dim == 2 else torch.cat([x, torch.zeros(n, 1, dtype=x.dtype)], 1)).float(), used
    if used == "pca":
        centred = x - x.mean(0)
        _, _, v = torch.linalg.svd(centred, full_matrices=False)
        axes = v[:2].T  # (L, 2)
        signs = torch.sign(axes.gather(0, axes.abs().argmax(0, keepdim=True)))
        return (centred @ (axes * signs)).float(), used
    if used == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, max(1.0, (n - 1) / 3)))
        points = TSNE(2, init="pca", perplexity=perplexity, random_state=seed).fit_transform(
            x.numpy().astype(np.float32))
        return torch.from_numpy(np.asarray(points)).float(), used
    raise ValueError(f"unknown latent-map method {method!r} (auto, identity, pca, tsne)")


def subsample(n: int, max_points: int, seed: int = 0) -> Tensor:
    """Indices of at most ``max_points`` of n examples: all of them in order, or a seeded subset."""
    if n <= max_points:
        return torch.arange(n)
    g = torch.Generator().manual_seed(seed)
    return torch.randperm(n, generator=g)[:max_points].sort().values
