"""What the page's header shows about a run: its name, data, likelihood and key numbers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from vaekit.config.schema import Config
from vaekit.errors import RunError
from vaekit.store.eval_file import EVAL_FILE, read_eval
from vaekit.store.metrics import curve_split, read_metrics

# Columns of the last metrics row the page shows; the held-out ones are read from whichever
# split the run's curve used and named heldout_* (with heldout_split: val or test).
METRIC_KEYS = ("epoch", "train_loss", "active_units")
HELDOUT_KEYS = ("loss", "recon", "kl")
EVAL_KEYS = ("split", "n", "k", "nll", "nll_se", "elbo", "kl", "elbo_gap", "bits_per_dim",
             "active_units", "latent_dim", "mi")


def _number(text: Any) -> float | int | str | None:
    """A metrics.csv cell as a number where it is one (finite), else the text; '' -> None."""
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        return str(text)
    if not math.isfinite(value):
        return str(text)
    return int(value) if value.is_integer() and "." not in str(text) else value


def last_metrics(run: Path) -> dict[str, Any]:
    """The last row of RUN/metrics.csv (the saved weights' epoch), key columns only; {} if none."""
    try:
        rows = read_metrics(run / "metrics.csv")
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not rows:
        return {}
    last = rows[-1]
    out = {k: _number(last.get(k)) for k in METRIC_KEYS if last.get(k) not in (None, "")}
    for k in HELDOUT_KEYS:
        value = last.get(f"{curve_split(rows)}_{k}")
        if value not in (None, ""):
            out[f"heldout_{k}"] = _number(value)
    return {**out, "heldout_split": curve_split(rows)} if out else out


def eval_numbers(run: Path) -> dict[str, Any] | None:
    """Key numbers of RUN/eval.json, None when the run has not been evaluated or it is unreadable."""
    try:
        data = read_eval(run / EVAL_FILE)
    except RunError:
        return None
    if data is None:
        return None
    out = {}
    for k in EVAL_KEYS:
        v = data.get(k)
        if isinstance(v, (int, float, str)) and not (isinstance(v, float) and not math.isfinite(v)):
            out[k] = v
    return out


def describe_run(run: Path, cfg: Config, raw: dict[str, Any]) -> dict[str, Any]:
    """Name, data set, likelihood and model of a run, for the page's header."""
    data = raw.get("data") or {}
    return {
        "name": run.resolve().name,
        "data": data.get("name", cfg.data.name),
        "likelihood": cfg.model.likelihood,
        "binarization": cfg.data.binarize,
        "variant": cfg.model.variant,
        "arch": cfg.model.arch,
        "latent": cfg.model.latent,
        "objective": cfg.objective.name,
        "metrics": last_metrics(run),
        "eval": eval_numbers(run),
    }
