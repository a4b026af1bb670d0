"""One registry for every pluggable component, keyed by (kind, name).

A component file registers itself with ``@register("likelihood", "bernoulli")``; configs name
components and :func:`get` turns the name back into the builder. Adding a component is one file:
the component packages are indexed from their source (``vaekit.registry.index``), so a new file
in any of them is found without being listed anywhere, and :func:`get` imports only the module
that registers the name. ``names``, ``options`` and ``bind`` answer from the index, without
importing components (or torch), wherever the source shows the builder's signature; so does
``declared``, for what a registered class declares in its body (a modality's files).

A component's options are the keyword parameters of its builder (``model.<kind>_args`` in the
config); :func:`bind` checks them against the signature. The parameters vaekit itself supplies
(the sizes of the model around the component) are named in ``SUPPLIED``.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from vaekit.errors import ConfigError
from vaekit.registry.index import Index, Params, build_index

T = TypeVar("T", bound=Callable[..., Any])

_REGISTRY: dict[str, dict[str, Callable[..., Any]]] = {}

# The packages that hold components: every module under them is indexed on the first lookup.
_COMPONENT_PACKAGES = ("vaekit.data", "vaekit.nn", "vaekit.dists", "vaekit.model",
                       "vaekit.objectives", "vaekit.variants", "vaekit.samplers", "vaekit.tracking",
                       "vaekit.report.renders", "vaekit.serve.views")
_built: Index | None = None

# Builder parameters that the model supplies, per kind; every other parameter is an option.
SUPPLIED = {
    "arch": ("shape", "decoder_in", "params_per_dim"),
    "latent": ("feature_dim", "latent_dim", "feature_map"),
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


def _index() -> Index:
    """The index of the component packages, built once; its opaque modules imported once."""
    global _built
    if _built is None:
        _built = build_index(Path(__file__).resolve().parents[1], _COMPONENT_PACKAGES)
        for module in _built.opaque:
            importlib.import_module(module)
    return _built


def names(kind: str) -> list[str]:
    """Registered names of one kind, sorted."""
    return sorted({*_index().entries.get(kind, {}), *_REGISTRY.get(kind, {})})


def get(kind: str, name: str) -> Callable[..., Any]:
    """The builder registered as ``name``; a ConfigError listing the valid names otherwise."""
    entry = _index().entries.get(kind, {}).get(name)
    if name not in _REGISTRY.get(kind, {}) and entry is not None:
        importlib.import_module(entry.module)
        if name not in _REGISTRY.get(kind, {}):
            raise ImportError(f"{entry.module} does not register {kind} {name!r} as its source says")
    table = _REGISTRY.get(kind, {})
    if name not in table:
        valid = ", ".join(names(kind)) or "none"
        raise ConfigError(f"unknown {kind} {name!r} (valid: {valid})")
    return table[name]


def declared(kind: str, name: str) -> dict[str, Any]:
    """What a registered class declares in its body (``binarizes = True``, literal values only),
    read from the source without importing it; from the class itself where the index has no
    source for it."""
    entry = _index().entries.get(kind, {}).get(name)
    if entry is not None and name not in _REGISTRY.get(kind, {}):
        return dict(entry.declared)
    builder = get(kind, name)
    return {k: v for k, v in vars(builder).items() if not k.startswith("_") and not callable(v)}


def parameters(builder: Callable[..., Any]) -> Params:
    """(name, default) of each parameter ``builder`` takes by name (``inspect.Parameter.empty``
    where it has no default), as the index reads them from the source."""
    return tuple((p.name, p.default) for p in inspect.signature(builder).parameters.values()
                 if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


def options(kind: str, name: str) -> dict[str, Any]:
    """The options of a registered builder and their defaults (``inspect.Parameter.empty``
    where an option has none)."""
    entry = _index().entries.get(kind, {}).get(name)
    if entry is not None and entry.params is not None and name not in _REGISTRY.get(kind, {}):
        params = entry.params
    else:
        params = parameters(get(kind, name))
    supplied = {"self", *SUPPLIED.get(kind, ())}
    return {n: default for n, default in params if n not in supplied}


def bind(kind: str, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Check ``kwargs`` against the options of ``name``; ConfigError naming an unknown one or a
    value its declared type does not allow."""
    valid = options(kind, name)
    unknown = sorted(set(kwargs) - set(valid))
    if unknown:
        listed = ", ".join(valid) or "none"
        raise ConfigError(f"{kind} {name!r} has no option {', '.join(unknown)} (valid: {listed})")
    entry = _index().entries.get(kind, {}).get(name)
    if entry is not None and entry.checks:
        from vaekit.registry.constraints import problem

        for option, constraint in entry.checks:
            why = problem(constraint, kwargs[option]) if option in kwargs else None
            if why:
                raise ConfigError(f"{kind} {name!r}: {option} {why}, got {kwargs[option]!r}")
    return kwargs
