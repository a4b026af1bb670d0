"""Matplotlib figures of a run: traversals, the latent map, training curves, column errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from vaekit.artifacts.run_context import RunContext
from vaekit.config.schema import Config
from vaekit.errors import UserError
from vaekit.explore.latent_map import embed_2d, subsample
from vaekit.explore.tabular import ColumnError, column_errors
from vaekit.explore.traverse import LatentStats, latent_stats, traverse
from vaekit.report.pictures import require_images
from vaekit.store.metrics import read_metrics
from vaekit.viz.columns import column_error_figure
from vaekit.viz.curves import training_curves
from vaekit.viz.grid import auto_scale
from vaekit.viz.latent_scatter import latent_map_figure
from vaekit.viz.traversal import traversal_figure

METHOD_NAMES = {"identity": "the 2-D codes themselves", "pca": "PCA", "tsne": "t-SNE"}


def describe(cfg: Config) -> str:
    """Which likelihood and binarization the numbers and pictures use."""
    binarize = cfg.data.binarize
    how = "" if binarize == "none" else f", {binarize} binarization"
    return f"{cfg.model.likelihood} likelihood{how}"


class BadDimension(UserError):
    """A latent dimension that the model does not have."""


def traversal_plot(ctx: RunContext, split: str, dims: Sequence[int] | None = None,
                   span: float = 3.0, steps: int = 9, base: int | None = None,
                   max_dims: int = 16, stats: LatentStats | None = None) -> Figure:
    """Rows = latent dims (default: the ``max_dims`` with most KL on ``split``), sorted by KL.

    ``base``: index of the example of ``split`` whose posterior mean fixes the other dims
    (None: zero).
    """
    require_images(ctx, "traverse")
    data, model = ctx.split(split), ctx.model
    stats = stats or latent_stats(model, data.x, data.y)
    order = stats.order()
    if dims is None:
        chosen = order[:max_dims]
    else:
        for d in dims:
            if not 0 <= d < model.latent_dim:
                raise BadDimension(f"--dims {d}: the latent has dimensions 0 to "
                                   f"{model.latent_dim - 1}")
        chosen = [d for d in order if d in set(dims)]
    if base is None:
        z0, label = model.prior.center(), None
    else:
        i = data.check_index(base, "--base")
        z0, label = stats.means[i], None if data.y is None else int(data.y[i])
    images = traverse(model, z0, chosen, span, steps, label)
    key, name = (stats.kl, "KL") if stats.kl is not None else (stats.variance, "var")
    return traversal_figure(images, chosen, [float(key[d]) for d in chosen],
                            # only Gaussian units can be inactive (not a code grid's entries)
                            [bool(stats.active[d]) or not model.latent.caps.gaussian_units
                             for d in chosen], span,
                            auto_scale(images.shape[-2]), name)


def latent_map_plot(ctx: RunContext, split: str, method: str = "auto", max_points: int = 5000,
                    seed: int = 0, stats: LatentStats | None = None) -> Figure:
    """The posterior means of (up to ``max_points`` of) ``split`` in 2-D, colored by label."""
    data, cfg = ctx.split(split), ctx.config
    stats = stats or latent_stats(ctx.model, data.x, data.y)
    idx = subsample(len(stats.means), max_points, seed)
    points, used = embed_2d(stats.means[idx], method, seed)
    dim = ctx.model.latent_dim
    how = METHOD_NAMES[used] + ("" if used == "identity" else f" of the {dim}-D means")
    title = (f"posterior means E[z|x], {len(idx)} {split} examples: {how}\n"
             f"{ctx.spec.name or cfg.data.name}, {describe(cfg)}")
    labels = None if data.y is None else data.y[idx]
    return latent_map_figure(points, labels, ctx.classes, used, title)


def curves_plot(run: Path, cfg: Config) -> Figure:
    """Training curves from RUN/metrics.csv; UserError when it has no rows yet."""
    rows = read_metrics(run / "metrics.csv")
    if not rows:
        raise UserError(f"{run / 'metrics.csv'} has no rows yet: train at least one epoch")
    return training_curves(rows, f"{cfg.data.name}: {describe(cfg)}, nats per example")


def column_error_plot(ctx: RunContext, split: str,
                      errors: list[ColumnError] | None = None) -> Figure:
    """Tabular runs: the reconstruction error of each column of ``split``, in its own units
    (computed unless given)."""
    if not ctx.modality.has_columns:
        raise UserError("per-column errors need a tabular run")
    data = ctx.split(split)
    errors = column_errors(ctx.model, data.x, ctx.codec, data.y) if errors is None else errors
    return column_error_figure([e.name for e in errors], [e.relative for e in errors],
                               [e.short for e in errors],
                               f"reconstruction error per column, {split} split "
                               f"({len(data.x)} rows), {describe(ctx.config)}")
