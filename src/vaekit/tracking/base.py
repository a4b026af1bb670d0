"""What every tracker shares: the package check, the config as flat parameters, the numeric
columns of a metrics row and the sample grid of a finished run.

A tracker is built as ``Tracker(out, cfg)`` before anything is written (so a missing package
stops the run before its folder exists) and is then a training callback: ``on_train_start``
(before the first epoch), ``on_epoch_end`` and ``on_train_end``, on rank 0 only.
"""

from __future__ import annotations

import importlib.util
import math
import warnings
from typing import Any

import numpy as np

from vaekit.config.schema import Config
from vaekit.errors import UserError


def require(name: str, *modules: str) -> None:
    """UserError naming the pip extra when a module tracker ``name`` needs is not installed."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            raise UserError(f"train.track {name} needs the {module} package, which is not "
                            f"installed: pip install 'vaekit[{name}]'")


def flat_params(cfg: Config) -> dict[str, str]:
    """The config as ``{"section.key": "value"}`` (nested options dotted further), sorted."""
    out: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)
        else:
            out[prefix] = str(value)

    for section, values in cfg.model_dump(mode="json").items():
        walk(section, values)
    return dict(sorted(out.items()))


def numeric(row: dict[str, Any]) -> dict[str, float]:
    """The finite numeric columns of a metrics row, without ``epoch`` (the step they are logged
    at); empty cells (no active-units count for a latent without one) are left out."""
    out = {}
    for key, value in row.items():
        if key == "epoch":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            out[key] = number
    return out


def sample_grid(run: Any, n: int = 64, seed: int = 0) -> np.ndarray | None:
    """(H, W, C) uint8: the grid ``vaekit sample RUN -n 64`` draws for an image run; None for
    table rows, or (with a warning) when the run cannot be sampled yet."""
    from vaekit.artifacts.run_context import RunContext
    from vaekit.report.pictures import samples_grid

    ctx = RunContext.open(run.path, model=run.model)
    if not ctx.modality.pictures:
        return None
    try:
        return samples_grid(ctx.model, ctx.sampler("auto", seed=seed), n, seed)
    except UserError as exc:
        warnings.warn(f"no sample grid logged: {exc}", stacklevel=2)
        return None
