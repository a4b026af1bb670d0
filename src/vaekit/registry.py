"""One registry for every pluggable component, keyed by (kind, name).

A component file registers itself with ``@register("likelihood", "bernoulli")``; configs name
components and :func:`get` turns the name back into the builder. Adding a component is one file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from vaekit.errors import ConfigError

T = TypeVar("T", bound=Callable[..., Any])

_REGISTRY: dict[str, dict[str, Callable[..., Any]]] = {}

# Modules whose import registers the built-in components of each kind.
_BUILTIN_MODULES = {
    "data": "vaekit.data.sources",
    "arch": "vaekit.nn",
    "likelihood": "vaekit.dists.likelihoods",
    "prior": "vaekit.dists.priors",
    "latent": "vaekit.model.latents",
    "objective": "vaekit.objectives",
    "variant": "vaekit.variants",
    "conditioner": "vaekit.model.conditioner",
    "sampler": "vaekit.samplers",
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


def _load_builtins(kind: str) -> None:
    module = _BUILTIN_MODULES.get(kind)
    if module:
        importlib.import_module(module)


def names(kind: str) -> list[str]:
    """Registered names of one kind, sorted."""
    _load_builtins(kind)
    return sorted(_REGISTRY.get(kind, {}))


def get(kind: str, name: str) -> Callable[..., Any]:
    """The builder registered as ``name``; a ConfigError listing the valid names otherwise."""
    _load_builtins(kind)
    table = _REGISTRY.get(kind, {})
    if name not in table:
        valid = ", ".join(sorted(table)) or "none"
        raise ConfigError(f"unknown {kind} {name!r} (valid: {valid})")
    return table[name]
