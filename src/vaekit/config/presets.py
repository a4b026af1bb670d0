"""Config rewriting before validation: variant presets, and flat component options.

Both work on raw config data (dicts) and find the components through the registry, so the
config layer imports no component.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class FlatOptions:
    """A config section whose component's options may be given flat: the component ``kind``
    named by ``name_key`` (``default`` when unset), its options under ``args_key``."""

    kind: str
    name_key: str
    default: str
    args_key: str


# The sections with flat options, by section name.
FLAT = {"model": FlatOptions("arch", "arch", "mlp", "arch_args"),
        "objective": FlatOptions("objective", "name", "elbo", "args"),
        "data": FlatOptions("data", "name", "digits", "args")}


def flat_options(section: Any, spec: FlatOptions, fields: set[str]) -> Any:
    """Move flat keys of a config section that are options of its component into its args
    (``model.hidden=[400]`` is ``model.arch_args.hidden=[400]``, ``objective.beta=4`` is
    ``objective.args.beta=4``; an explicit entry in the args wins). A flat option of another
    component of the same kind is dropped: it does not apply to this one (configs saved by
    vaekit 0.1 hold every component's options). ``fields``: the section's own keys, never moved."""
    if not isinstance(section, dict):
        return section
    name = section.get(spec.name_key, spec.default)
    try:
        own = set(registry.options(spec.kind, name)) if isinstance(name, str) else set()
    except ConfigError:  # an unknown component: validation names it
        return section
    args = section.get(spec.args_key)
    if args is not None and not isinstance(args, dict):
        return section
    out, args = dict(section), dict(args or {})
    for key in [k for k in out if k in own | every_option(spec.kind) and k not in fields]:
        value = out.pop(key)
        if key in own:
            args.setdefault(key, value)
    out[spec.args_key] = args
    return out


def every_option(kind: str) -> set[str]:
    """The options of every registered component of ``kind``."""
    return {o for name in registry.names(kind) for o in registry.options(kind, name)}
