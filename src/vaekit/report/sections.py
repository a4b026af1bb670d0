"""The picture sections of the report: each returns an HTML fragment with inline PNGs."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from vaekit.artifacts.run_context import RunContext
from vaekit.explore.traverse import LatentStats
from vaekit.report.budget import PicturePlan, budget_seconds, plan_pictures
from vaekit.report.html import esc, grid_table, image
from vaekit.report.pictures import (
    interpolation_grid,
    manifold_grid,
    random_pairs,
    reconstructions_grid,
    sample_rows,
    samples_grid,
)
from vaekit.report.plots import column_error_plot, latent_map_plot, traversal_plot
from vaekit.viz.figure import figure_png, png_bytes


def section(title: str, ident: str, body: str) -> str:
    return f'<section id="{esc(ident)}"><h2>{esc(title)}</h2>\n{body}\n</section>'


def _plan(ctx: RunContext, sampler: Any, seed: int) -> PicturePlan:
    """The pictures this report can afford: the cost of one decoded image measured on 8 draws,
    against a tenth of the run's training time (``vaekit.report.budget``)."""
    start = time.perf_counter()
    samples_grid(ctx.model, sampler, 8, seed)
    per_image = (time.perf_counter() - start) / 8
    trained = sum(float(r.get("seconds") or 0) for r in ctx.metrics())
    return plan_pictures(per_image, ctx.model.latent_dim, budget_seconds(trained))


def grid_image(grid: np.ndarray, alt: str, caption: str) -> str:
    """An image grid, shown at 2x (pixelated) when it is narrower than 450 px."""
    width = grid.shape[1]
    return image(png_bytes(grid), alt, caption, width=2 * width if width < 450 else None)


def image_sections(ctx: RunContext, split: str, stats: LatentStats, seed: int = 0) -> list[str]:
    """Samples; reconstructions and interpolations (linear and spherical) of the held-out
    ``split``; traversals; manifold.

    The samples come from the sampler ``vaekit sample RUN`` uses (a fitted mixture for an
    autoencoder), and every caption names it.
    """
    sampler = ctx.sampler("auto", seed=seed)
    prior = ctx.model.prior.description
    plan = _plan(ctx, sampler, seed)
    n = len(ctx.split(split))
    n_pairs = min(plan.pairs, n // 2)
    pairs = random_pairs(n, n_pairs, seed) if n_pairs else []
    n_recon = min(plan.reconstructions, n)
    mode = ctx.config.data.binarize
    seen = "" if mode == "none" else f" ({mode} binarization: one fixed draw)"
    out = [
        section("Samples", "samples", (f'<p class="note">{esc(plan.note)}</p>' if plan.note else "")
                + grid_image(
            samples_grid(ctx.model, sampler, plan.samples, seed), "samples",
            f"{plan.samples} draws of z from {sampler.description}, decoded; each image is the "
            "likelihood mean E[x|z] (vaekit sample RUN -n 64).")),
        section("Reconstructions", "reconstructions", grid_image(
            reconstructions_grid(ctx, split, n_recon), "reconstructions",
            f"The first {n_recon} held-out examples as the model sees them{seen} above the means "
            "decoded from their posterior means (vaekit reconstruct RUN -n 32).")),
    ]
    if pairs:
        lin = interpolation_grid(ctx, split, pairs, plan.steps, spherical=False)
        sph = interpolation_grid(ctx, split, pairs, plan.steps, spherical=True)
        out.append(section("Interpolations", "interpolations",
            grid_image(lin, "linear interpolations", f"Each row: a held-out example{seen}, "
                  f"{plan.steps} images "
                  "decoded along the straight line between the two posterior means, the other "
                  "example (vaekit interpolate RUN).")
            + grid_image(sph, "spherical interpolations", "The same pairs along the spherical path "
                    "(vaekit interpolate RUN --slerp).")))
    trav = traversal_plot(ctx, split, stats=stats, steps=plan.traversal_steps,
                          max_dims=plan.traversal_dims)
    caps = ctx.model.latent.caps
    coordinate = caps.coordinates
    order = "their mean held-out KL" if stats.kl is not None else \
        f"the variance of their {caps.embedding} across the held-out split"
    marked = (f"; inactive ones (variance of the {caps.embedding} <= 0.01) are marked"
              if caps.gaussian_units else "")
    out.append(section("Latent traversals", "traversals", image(
        figure_png(trav), "traversals", f"Each row varies one latent {coordinate} over the prior's mean "
        f"+- 3 of its standard deviations ({prior}) with the others at the prior's mean, "
        f"ordered by {order}{marked} (vaekit traverse RUN).", plot=True)))
    if ctx.model.latent_dim == 2:
        out.append(section("Learned manifold", "manifold", grid_image(
            manifold_grid(ctx.model, plan.manifold), "manifold", "Decoded grid over normal quantiles on "
            "the prior's centre and scale: z = mean + std * Phi^-1(p), p from 0.05 to 0.95 on "
            f"each axis ({prior}; vaekit manifold RUN).")))
    return out


def table_sections(ctx: RunContext, split: str, seed: int = 0) -> list[str]:
    """Tabular runs: per-column reconstruction error of ``split`` and a few generated rows."""
    rows = sample_rows(ctx, 10, seed, stochastic=True)
    cells = [list(row) for row in rows.astype(object).where(rows.notna(), "")
             .itertuples(index=False)]
    return [
        section("Reconstruction error per column", "column-errors", image(
            figure_png(column_error_plot(ctx, split)), "column errors", "RMS error of the held-out "
            "reconstructions per column (vaekit column-errors RUN).", plot=True)),
        section("Generated rows", "generated-rows",
                f'<p class="note">10 draws of z from {esc(ctx.sampler("auto").description)}, each row '
                "drawn from p(x|z), in the original columns, categories and units (vaekit rows "
                "RUN --out rows.csv).</p>"
                + grid_table(list(rows.columns), cells)),
    ]


def latent_map_section(ctx: RunContext, split: str, stats: LatentStats, seed: int = 0) -> str:
    fig = latent_map_plot(ctx, split, "auto", 5000, seed, stats)
    return section("Latent map", "latent-map", image(
        figure_png(fig), "latent map", "Posterior means of the held-out split, colored by label "
        "when the data have labels (vaekit latent-map RUN).", plot=True))
