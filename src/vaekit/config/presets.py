"""Config rewriting before validation: variant presets, and flat architecture options.

Both work on raw config data (dicts) and find the components through the registry, so the
config layer imports no component.
"""

from __future__ import annotations

from typing import Any

from vaekit import registry
from vaekit.errors import ConfigError


def apply_variant(data: dict[str, Any]) -> dict[str, Any]:
    """Fill the defaults of the variant named by ``data["model"]["variant"]`` (default ``vae``).

    Unknown names leave ``data`` unchanged so that validation reports them with the valid ones.
    """
    model = data.get("model")
    name = model.get("variant", "vae") if isinstance(model, dict) else "vae"
    if not isinstance(name, str) or name not in registry.names("variant"):
        return data
    return registry.get("variant", name)(data)


def flat_options(section: Any, kind: str, name_key: str, default: str, args_key: str,
                 fields: set[str]) -> Any:
    """Move flat keys of a config section that are options of its component into ``args_key``
    (``model.hidden=[400]`` is ``model.arch_args.hidden=[400]``, ``objective.beta=4`` is
    ``objective.args.beta=4``; an explicit entry in the args wins). A flat option of another
    component of the same kind is dropped: it does not apply to this one (configs saved by
    vaekit 0.1 hold every component's options). ``fields``: the section's own keys, never moved."""
    if not isinstance(section, dict):
        return section
    name = section.get(name_key, default)
    try:
        own = set(registry.options(kind, name)) if isinstance(name, str) else set()
    except ConfigError:  # an unknown component: validation names it
        return section
    others = {o for n in registry.names(kind) for o in registry.options(kind, n)}
    args = section.get(args_key)
    if args is not None and not isinstance(args, dict):
        return section
    out, args = dict(section), dict(args or {})
    for key in [k for k in out if k in own | others and k not in fields]:
        value = out.pop(key)
        if key in own:
            args.setdefault(key, value)
    out[args_key] = args
    return out


def flat_arch_options(model: Any, fields: set[str]) -> Any:
    """The model section with flat architecture options moved into ``arch_args``."""
    return flat_options(model, "arch", "arch", "mlp", "arch_args", fields)


def flat_objective_options(objective: Any, fields: set[str]) -> Any:
    """The objective section with flat options of the objective moved into ``args``."""
    return flat_options(objective, "objective", "name", "elbo", "args", fields)
