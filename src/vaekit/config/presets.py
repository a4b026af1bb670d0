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


def flat_arch_options(model: Any, fields: set[str]) -> Any:
    """Move flat keys of the model section that are options of its architecture into
    ``arch_args`` (``model.hidden=[400]`` is ``model.arch_args.hidden=[400]``; an explicit
    ``arch_args`` entry wins). A flat option of another architecture is dropped: it does not
    apply to this one (run configs saved by vaekit 0.1 hold both ``hidden`` and ``channels``).
    ``fields``: the model section's own keys, never moved."""
    if not isinstance(model, dict):
        return model
    arch = model.get("arch", "mlp")
    try:
        own = set(registry.options("arch", arch)) if isinstance(arch, str) else set()
    except ConfigError:  # an unknown architecture: validation names it
        return model
    others = {o for name in registry.names("arch") for o in registry.options("arch", name)}
    args = model.get("arch_args")
    if args is not None and not isinstance(args, dict):
        return model
    out, args = dict(model), dict(args or {})
    for key in [k for k in out if k in own | others and k not in fields]:
        value = out.pop(key)
        if key in own:
            args.setdefault(key, value)
    out["arch_args"] = args
    return out
