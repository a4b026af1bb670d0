"""A variant is a registered preset: config defaults that name a composition of registered parts."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from vaekit import registry


@dataclass(frozen=True)
class Variant:
    """``defaults``: section -> key -> value, filled into a raw config wherever the user set nothing.

    ``new_component`` names the one part this variant adds (e.g. ``"objective iwae"``), or "" when
    it only sets existing keys; ``paper`` is the reference. Calling the variant on raw config data
    returns a new dict with its defaults filled in (the user's values always win).
    """

    name: str
    summary: str
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_component: str = ""
    paper: str = ""

    def __call__(self, data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        for section, keys in self.defaults.items():
            node = out.get(section)
            if node is None:
                node = {}
            if not isinstance(node, dict):  # a wrong type: leave it for validation to report
                continue
            out[section] = {**copy.deepcopy(keys), **node}
        return out


def register_variant(variant: Variant) -> Variant:
    """Make ``variant`` available as ``model.variant: <name>``."""
    return registry.register("variant", variant.name)(variant)


def apply_variant(data: dict[str, Any]) -> dict[str, Any]:
    """Fill the defaults of the variant named by ``data["model"]["variant"]`` (default ``vae``).

    Unknown names leave ``data`` unchanged so that validation reports them with the valid ones.
    """
    model = data.get("model")
    name = model.get("variant", "vae") if isinstance(model, dict) else "vae"
    if not isinstance(name, str) or name not in registry.names("variant"):
        return data
    return registry.get("variant", name)(data)
