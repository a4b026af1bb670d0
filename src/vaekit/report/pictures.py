"""Image grids of a run (uint8 arrays): samples, reconstructions, interpolations, the manifold.

Shared by the CLI commands (which save them as PNG) and the report (which embeds them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from vaekit.artifacts.run_context import RunContext
from vaekit.errors import UserError
from vaekit.eval.data import IndexOutOfRange
from vaekit.explore.interpolate import interpolation_paths
from vaekit.explore.labels import decode_labels
from vaekit.explore.manifold import manifold
from vaekit.model.vae import VAE
from vaekit.samplers import Sampler, parse_label
from vaekit.samplers.base import draw_images
from vaekit.viz.grid import auto_scale, make_grid
from vaekit.viz.layouts import interpolation_rows, originals_above_reconstructions


def require_images(ctx: RunContext, what: str) -> None:
    if not ctx.modality.pictures:
        raise UserError(f"{what} needs an image run; {ctx.path} holds table rows of "
                        f"{ctx.model.shape[0]} columns")


def sample_rows(ctx: RunContext, n: int, seed: int = 0, temperature: float = 1.0,
                stochastic: bool = True, sampler: str = "auto",
                components: int | None = None) -> Any:
    """A table run: n draws of z from ``sampler`` (``auto``: the one ``vaekit sample`` uses),
    decoded (a draw of p(x|z), or the likelihood mean without ``stochastic``) into a DataFrame
    of the original columns, types, categories and units."""
    if not ctx.modality.has_columns:
        raise UserError(f"{ctx.path} holds images, not table rows (use vaekit sample)")
    source = ctx.sampler(sampler, components, seed)
    rows = draw_images(ctx.model, source, n, decode_labels(ctx.model, n), seed, temperature,
                       stochastic)
    return ctx.codec.decode(rows.cpu())


def samples_grid(model: VAE, sampler: Sampler, n: int = 64, seed: int = 0,
                 temperature: float = 1.0, stochastic: bool = False,
                 label: str | None = None) -> np.ndarray:
    """n decoded draws of ``sampler`` in a grid, upscaled so small images stay visible.

    A conditional model decodes with ``label`` (a class), or by default one row per class with
    the same codes down each column (``vaekit.samplers.parse_label``).
    """
    if len(model.shape) != 3:
        raise UserError(f"this model's data are rows of {model.shape[0]} columns, not images")
    plan = parse_label(model, label, n)
    images = draw_images(model, sampler, plan.n_codes, plan.labels, seed, temperature, stochastic)
    return make_grid(images, ncol=plan.ncol, scale=auto_scale(images.shape[-2]))


def reconstructions_grid(ctx: RunContext, split: str, n: int = 32,
                         ncol: int = 16) -> np.ndarray:
    """The first n examples of ``split``, each row of originals above its reconstructions."""
    require_images(ctx, "reconstruct")
    data, model = ctx.split(split), ctx.model
    if n > len(data):
        raise IndexOutOfRange(f"-n {n}: the {split} split has only {len(data)} examples")
    x = data.x[:n]
    y = decode_labels(model, n, None if data.y is None else data.y[:n])
    with torch.no_grad():
        recon = model.decode(model.encode(x.to(model.device), y).mean, y).mean.cpu()
    ncol = min(n, ncol)
    return make_grid(originals_above_reconstructions(x, recon, ncol), ncol=ncol,
                     scale=auto_scale(x.shape[-2]))


def random_pairs(n: int, count: int, seed: int = 0) -> list[tuple[int, int]]:
    """``count`` seeded pairs of distinct example indices below n."""
    if n < 2:
        raise UserError("interpolation needs at least 2 examples in the split")
    g = torch.Generator().manual_seed(seed)
    pairs = []
    for _ in range(count):
        i, j = torch.randperm(n, generator=g)[:2].tolist()
        pairs.append((i, j))
    return pairs


def interpolation_grid(ctx: RunContext, split: str, pairs: list[tuple[int, int]],
                       steps: int = 10, spherical: bool = False) -> np.ndarray:
    """One row per pair (i, j) of examples of ``split``: example i, the decoded path from its
    code to j's, example j."""
    require_images(ctx, "interpolate")
    data = ctx.split(split)
    ia = torch.tensor([data.check_index(i, "--from") for i, _ in pairs])
    ib = torch.tensor([data.check_index(j, "--to") for _, j in pairs])
    ya, yb = (None, None) if data.y is None else (data.y[ia], data.y[ib])
    paths = interpolation_paths(ctx.model, data.x[ia], data.x[ib], steps, spherical, ya, yb)
    rows = interpolation_rows(data.x[ia], paths, data.x[ib])
    return make_grid(rows, ncol=steps + 2, scale=auto_scale(data.x.shape[-2]))


def manifold_grid(model: VAE, n: int = 20) -> np.ndarray:
    """The n x n decoded quantile grid of a 2-D latent, without gaps (one continuous sheet)."""
    if len(model.shape) != 3:
        raise UserError("the manifold picture needs an image run")
    images = manifold(model, n)
    return make_grid(images, ncol=n, pad=0, scale=auto_scale(images.shape[-2]))
