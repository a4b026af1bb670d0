"""A variant is a registered preset: config defaults that name a composition of registered parts."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from vaekit import registry
from vaekit.config.presets import apply_variant

__all__ = ["Variant", "apply_variant", "register_variant"]


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
        return _fill(dict(data), self.defaults)


def _fill(user: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """``user`` with ``defaults`` filled in at every depth: ``latent_args: {ema: true}`` keeps the
    preset's codebook size. A value of the wrong type is left for validation to report."""
    out = dict(user)
    for key, default in defaults.items():
        mine = out.get(key)
        if mine is None:
            out[key] = copy.deepcopy(default)
        elif isinstance(default, dict) and isinstance(mine, dict):
            out[key] = _fill(mine, default)
    return out


def register_variant(variant: Variant) -> Variant:
    """Make ``variant`` available as ``model.variant: <name>``."""
    return registry.register("variant", variant.name)(variant)
