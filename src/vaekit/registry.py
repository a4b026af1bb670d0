"""One registry for every pluggable component, keyed by (kind, name).

A component file registers itself with ``@register("likelihood", "bernoulli")``; configs name
components and :func:`get` turns the name back into the builder. Adding a component is one file:
the first lookup imports every module of the component packages, so a new file in any of them
registers itself without being listed anywhere.

A component's options are the keyword parameters of its builder (``model.<kind>_args`` in the
config); :func:`bind` checks them against the signature. The parameters vaekit itself supplies
(the sizes of the model around the component) are named in ``SUPPLIED``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any, TypeVar

from vaekit.errors import ConfigError

T = TypeVar("T", bound=Callable[..., Any])

_REGISTRY: dict[str, dict[str, Callable[..., Any]]] = {}

# The packages that hold components: every module under them is imported on the first lookup.
_COMPONENT_PACKAGES = ("vaekit.data", "vaekit.nn", "vaekit.dists", "vaekit.model",
                       "vaekit.objectives", "vaekit.variants", "vaekit.samplers", "vaekit.tracking")
_loaded = False

# Builder parameters that the model supplies, per kind; every other parameter is an option.
SUPPLIED = {
    "arch": ("shape", "decoder_in", "params_per_dim"),
    "latent": ("feature_dim", "latent_dim"),
    "prior": ("ctx",),
    "conditioner": ("num_classes",),
    "data": ("cfg",),
}


def register(kind: str, name: str) -> Callable[[T], T]:
    """Decorator: make ``obj`` available as ``get(kind, name)``."""

    def deco(obj: T) -> T:
        table = _REGISTRY.setdefault(kind, {})
        if name in table and table[name] is not obj:
            raise ValueError(f"{kind} {name!r} is registered twice")
        table[name] = obj
        return obj

    return deco


def _load_components() -> None:
    """Import every module of the component packages once (each registers what it defines)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for package in _COMPONENT_PACKAGES:
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            importlib.import_module(info.name)


def names(kind: str) -> list[str]:
    """Registered names of one kind, sorted."""
    _load_components()
    return sorted(_REGISTRY.get(kind, {}))


def get(kind: str, name: str) -> Callable[..., Any]:
    """The builder registered as ``name``; a ConfigError listing the valid names otherwise."""
    _load_components()
    table = _REGISTRY.get(kind, {})
    if name not in table:
        valid = ", ".join(sorted(table)) or "none"
        raise ConfigError(f"unknown {kind} {name!r} (valid: {valid})")
    return table[name]


def options(kind: str, name: str) -> dict[str, Any]:
    """The options of a registered builder and their defaults (``inspect.Parameter.empty``
    where an option has none)."""
    builder = get(kind, name)
    supplied = {"self", *SUPPLIED.get(kind, ())}
    return {p.name: p.default for p in inspect.signature(builder).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in supplied}


def bind(kind: str, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Check ``kwargs`` against the options of ``name``; ConfigError naming the unknown ones."""
    valid = options(kind, name)
    unknown = sorted(set(kwargs) - set(valid))
    if unknown:
        listed = ", ".join(valid) or "none"
        raise ConfigError(f"{kind} {name!r} has no option {', '.join(unknown)} (valid: {listed})")
    return kwargs
