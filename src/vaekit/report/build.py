"""Assemble the report of a run: numbers, config, curves and every picture, as one HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vaekit.artifacts.run_context import RunContext
from vaekit.errors import RunError
from vaekit.explore.traverse import latent_stats
from vaekit.model.vae import VAE
from vaekit.report.html import esc, flatten, image, key_values, page
from vaekit.report.plots import curves_plot, describe
from vaekit.report.renders import render_for
from vaekit.report.sections import latent_map_section, section
from vaekit.store.metrics import curve_split, heldout
from vaekit.viz.figure import figure_png

REPORT = "report.html"


def final_numbers(rows: list[dict[str, str]], latent_dim: int) -> dict[str, Any]:
    """The last epoch's metrics (nats per example) and the best -ELBO of the per-epoch curve's
    split (validation; test in runs made before validation splits)."""
    last = rows[-1]
    split = "validation" if curve_split(rows) == "val" else "test"
    best = min(rows, key=lambda r: float(heldout(r, "loss")))
    return {
        "epochs": int(last["epoch"]),
        f"{split} -ELBO": float(heldout(last, "loss")),
        f"{split} reconstruction": float(heldout(last, "recon")),
        f"{split} KL": float(heldout(last, "kl")),
        "train -ELBO": float(last["train_loss"]),
        **({"active units": f"{last['active_units']}/{latent_dim}"}
           if last.get("active_units") not in (None, "") else {}),
        f"best {split} -ELBO": f"{float(heldout(best, 'loss')):.6g} (epoch {best['epoch']})",
        "training time (s)": sum(float(r["seconds"] or 0) for r in rows),
    }


def _summary(ctx: RunContext) -> str:
    cfg, spec = ctx.config, ctx.spec
    data = {"data set": spec.name or cfg.data.name, "kind": spec.kind,
            "train examples": spec.sizes["train"], "validation examples": spec.sizes["val"],
            "validation split": spec.validation, "test examples": spec.sizes["test"],
            "official test split": spec.test_is_official, "shape": ctx.raw.get("shape"),
            "likelihood": cfg.model.likelihood, "binarization": cfg.data.binarize,
            "architecture": cfg.model.arch, "latent dimensions": cfg.model.latent_dim,
            "prior": ctx.model.prior.description,
            "objective": cfg.objective.name, "beta": cfg.objective.option("beta"),
            "vaekit": ctx.raw.get("vaekit_version"), "torch": ctx.raw.get("torch_version")}
    if spec.classes:
        data["classes"] = ", ".join(map(str, spec.classes))
    return section("Data and model", "data", key_values(data, "data-table"))


def _numbers(ctx: RunContext) -> list[str]:
    rows = ctx.metrics()
    if not rows:
        return [section("Final metrics", "metrics", '<p class="note">no epochs finished yet</p>')]
    units = ("nats per example of the rows in their own units (the standardization's "
             "log-Jacobian included)" if ctx.spec.extra.get("column_std") else "nats per example")
    note = (f'<p class="note">{units}, {esc(describe(ctx.config))}, prior '
            f"{esc(ctx.model.prior.description)}; -ELBO = reconstruction + KL; the saved weights "
            "are those of the last epoch.</p>")
    out = [section("Final metrics", "metrics",
                   note + key_values(final_numbers(rows, ctx.model.latent_dim), "metrics-table"))]
    out.append(section("Training curves", "curves", image(
        figure_png(curves_plot(ctx.path, ctx.config)), "training curves",
        "From metrics.csv (vaekit curves RUN).", plot=True)))
    return out


def _eval(ctx: RunContext) -> list[str]:
    try:
        data = ctx.evaluation()
    except RunError as exc:
        return [section("Evaluation", "eval", f'<p class="note">{esc(exc)}</p>')]
    if data is None:
        return []
    return [section("Evaluation (eval.json)", "eval", key_values(flatten(data), "eval-table"))]


def build_report(run: str | Path, model: VAE | None = None) -> str:
    """The HTML of RUN's report. ``model``: the run's model if already in memory."""
    ctx, split = RunContext.open(run, model=model), "test"
    test = ctx.split(split)
    stats = latent_stats(ctx.model, test.x, test.y)
    config = yaml.safe_dump(ctx.raw.get("config", {}), sort_keys=False, default_flow_style=None)
    body = [f"<h1>vaekit run report: {esc(ctx.path.name)}</h1>",
            f'<p class="note">{esc(ctx.path.resolve())}</p>', _summary(ctx), *_numbers(ctx),
            *_eval(ctx),
            *render_for(ctx.modality).report_sections(ctx, split, stats),
            latent_map_section(ctx, split, stats),
            section("Config", "config", f"<pre>{esc(config)}</pre>")]
    return page(f"vaekit report: {ctx.path.name}", "\n".join(body))
