"""Runs of pictures: grids of decoded samples and of reconstructions (PNG), and the report's
samples, reconstructions, interpolations, traversals and manifold."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vaekit.registry import register

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext
    from vaekit.explore.traverse import LatentStats
    from vaekit.report.renders.base import Draws


@register("render", "image")
class ImageRender:
    sample_file = "samples.png"
    reconstruct_file = "reconstructions.png"
    stochastic = False  # the likelihood mean: a sharp picture of what z decodes to

    def write_samples(self, ctx: RunContext, out: Path, draws: Draws) -> str:
        """A grid of decoded draws (a conditional model: ``label``, or one row per class)."""
        from vaekit.artifacts.images import save_png
        from vaekit.report.pictures import samples_grid

        smp = ctx.sampler(draws.sampler, draws.components, draws.seed)
        stochastic = self.stochastic if draws.stochastic is None else draws.stochastic
        save_png(samples_grid(ctx.model, smp, draws.n, draws.seed, draws.temperature, stochastic,
                              draws.label), out)
        return f"wrote {out}: {draws.n} draws of z from {smp.description}"

    def write_reconstructions(self, ctx: RunContext, out: Path, n: int, split: str) -> list[str]:
        """The first n examples of ``split`` (as the model saw them) above their
        reconstructions."""
        from vaekit.artifacts.images import save_png
        from vaekit.report.pictures import reconstructions_grid

        save_png(reconstructions_grid(ctx, split, n), out)
        return [f"wrote {out}"]

    def report_sections(self, ctx: RunContext, split: str, stats: LatentStats) -> list[str]:
        from vaekit.report.sections import image_sections

        return image_sections(ctx, split, stats)
