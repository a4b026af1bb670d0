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

    A preset's flat option of a component the user replaced (``channels`` of its conv when the
    user chose ``model.arch=mlp``) is not filled: it applies to nothing. Unknown names leave
    ``data`` unchanged so that validation reports them with the valid ones.
    """
    model = data.get("model")
    name = model.get("variant", "vae") if isinstance(model, dict) else "vae"
    if not isinstance(name, str) or name not in registry.names("variant"):
        return data
    out = registry.get("variant", name)(data)
    for section, spec in FLAT.items():
        given, filled = data.get(section), out.get(section)
        if not isinstance(filled, dict):
            continue
        given = given if isinstance(given, dict) else {}
        drop = (set(filled) - set(given) - own_options(filled, spec)) & every_option(spec.kind)
        if drop:
            out[section] = {k: v for k, v in filled.items() if k not in drop}
    return out


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


def own_options(section: dict[str, Any], spec: FlatOptions) -> set[str]:
    """The options of the component a config section names (none when it names no known one)."""
    name = section.get(spec.name_key, spec.default)
    try:
        return set(registry.options(spec.kind, name)) if isinstance(name, str) else set()
    except ConfigError:  # an unknown component: validation names it
        return set()


def flat_options(section: Any, spec: FlatOptions, fields: set[str]) -> Any:
    """Move flat keys of a config section that are options of its component into its args
    (``model.hidden=[400]`` is ``model.arch_args.hidden=[400]``, ``objective.beta=4`` is
    ``objective.args.beta=4``; an explicit entry in the args wins). Any other key stays, so
    validation rejects it: a flat option of another component applies to nothing
    (:func:`foreign_option` names its owner). ``fields``: the section's own keys, never moved."""
    if not isinstance(section, dict):
        return section
    args = section.get(spec.args_key)
    if args is not None and not isinstance(args, dict):
        return section
    own = own_options(section, spec)
    out, args = dict(section), dict(args or {})
    for key in [k for k in out if k in own and k not in fields]:
        args.setdefault(key, out.pop(key))
    out[spec.args_key] = args
    return out


def foreign_option(section: str, key: str, chosen: Any) -> str | None:
    """Why ``section.key`` applies to nothing when it is an option of components of the
    section's kind other than ``chosen`` (e.g. ``"an option of arch mlp, not of the chosen arch
    conv"``), else None."""
    spec = FLAT.get(section)
    if spec is None:
        return None
    owners = [n for n in registry.names(spec.kind) if key in registry.options(spec.kind, n)]
    if not owners:
        return None
    chosen = chosen if isinstance(chosen, str) else spec.default
    return (f"an option of {spec.kind} {', '.join(owners)}, not of the chosen {spec.kind} "
            f"{chosen} ({section}.{spec.name_key})")


def every_option(kind: str) -> set[str]:
    """The options of every registered component of ``kind``."""
    return {o for name in registry.names(kind) for o in registry.options(kind, name)}
