"""Helpers of the contract tests: a small composition that takes a given component, found by
trying the variants and the data that declare a likelihood (when a test runs, never when it is
collected)."""

from __future__ import annotations

import copy
import functools
import importlib.util
import tempfile
from pathlib import Path

import torch

import vaekit
from vaekit import registry
from vaekit.config.schema import Config, DataConfig
from vaekit.data import Dataset, load_data
from vaekit.errors import ConfigError
from vaekit.model.build import build_model
from vaekit.objectives import build_objective
from vaekit.training.likelihood_choice import resolve_likelihood

# Config keys that name a component of each kind.
KEYS = {"arch": ("model", "arch"), "latent": ("model", "latent"), "prior": ("model", "prior"),
        "likelihood": ("model", "likelihood"), "objective": ("objective", "name"),
        "conditioner": ("model", "conditioner")}
# Sizes of the architectures, set where the chosen one takes them.
SMALL = {"hidden": [32], "channels": [8, 16]}
HAS_TABLES = importlib.util.find_spec("pandas") is not None


def _variants() -> list[str]:
    return sorted(registry.names("variant"), key=lambda v: v != "vae")


def _resolved(raw: dict) -> Config:
    return vaekit.load_config(copy.deepcopy(raw))


def small(raw: dict) -> dict:
    """``raw`` with the chosen architecture shrunk, and 4 latent dimensions unless the variant
    sets its own."""
    cfg = _resolved(raw)
    model = dict(raw.get("model", {}))
    sizes = {k: v for k, v in SMALL.items() if k in registry.options("arch", cfg.model.arch)}
    model["arch_args"] = {**cfg.model.arch_args, **sizes}
    preset = registry.get("variant", cfg.model.variant).defaults.get("model", {})
    if "latent_dim" not in preset and "latent_dim" not in model:
        model["latent_dim"] = 4
    return {**raw, "model": model}


@functools.cache
def mixed_table() -> Path:
    """A tiny CSV of every column type: continuous, integer, boolean, categorical, a missing
    cell and a label (written once per session)."""
    path = Path(tempfile.mkdtemp(prefix="vaekit-kinds-")) / "mixed.csv"
    g = torch.Generator().manual_seed(0)
    lines = ["speed,count,member,colour,label"]
    for i in range(120):
        speed = "" if i == 7 else f"{float(torch.randn(1, generator=g)) * 3 + (10 if i % 2 else 30):.3f}"
        lines.append(f"{speed},{i % 13},{'yes' if i % 3 else 'no'},{'rgb'[i % 3]},{i % 2}")
    path.write_text("\n".join(lines) + "\n")
    return path


@functools.cache
def count_matrix() -> Path:
    """A tiny .npz of overdispersed counts (120 rows x 6 features), written once per session."""
    import numpy as np

    path = Path(tempfile.mkdtemp(prefix="vaekit-kinds-")) / "counts.npz"
    rng = np.random.default_rng(0)
    np.savez(path, counts=rng.negative_binomial(3, 3 / (3 + rng.uniform(1, 30, (120, 6)))))
    return path


def _candidates(kind: str, name: str):
    """Raw configs that might take component ``name`` of ``kind``, best first: the data that
    declare a likelihood, a variant that names the component, a variant with it swapped in."""
    section, key = KEYS[kind]
    if kind == "likelihood" and HAS_TABLES:
        table = {"name": "table", "path": str(mixed_table())}
        if load_data(DataConfig(**table)).likelihood[0] == name:
            yield {"data": table, "model": {"likelihood": name}}
    using = [v for v in _variants() if uses(v)[kind] == name]
    for v in using:
        yield {"model": {"variant": v}}
    for v in _variants():
        if v not in using:
            raw: dict = {"model": {"variant": v}}
            raw.setdefault(section, {})[key] = name
            yield raw
    if kind == "likelihood":  # last: a likelihood of count rows, which no image data take
        yield {"data": {"name": "counts", "path": str(count_matrix())},
               "model": {"likelihood": name}}


def composition(kind: str, name: str) -> tuple[Config, Dataset]:
    """The first small config that builds with ``name`` and the data it runs on."""
    for raw in _candidates(kind, name):
        raw.setdefault("data", {"name": "digits"})
        try:
            cfg = vaekit.load_config(small(raw))
            ds = load_data(cfg.data)
            cfg = resolve_likelihood(cfg, ds)
            build_model(cfg.model, tuple(ds.train.shape[1:]))
            build_objective(cfg.objective)
        except ConfigError:
            continue
        return cfg, ds
    raise AssertionError(f"{kind} {name!r} composes with no variant and no data source"
                         + ("" if HAS_TABLES else " (pandas, to read a table, is not installed)"))


def uses(variant: str) -> dict[str, str | None]:
    """The registered parts a variant's preset names (kind -> name)."""
    cfg = _resolved({"model": {"variant": variant}})
    return {kind: getattr(getattr(cfg, section), key) for kind, (section, key) in KEYS.items()}
