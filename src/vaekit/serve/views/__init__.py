"""The registered explorer views (``image``, ``rows``) and the one lookup: a run's view by the
name its modality declares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vaekit import registry
from vaekit.serve.views.base import View

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext

__all__ = ["View", "view_for"]


def view_for(ctx: RunContext) -> View:
    """The explorer's view of the opened run ``ctx`` (its modality's ``renders_as``)."""
    view: View = registry.get("view", ctx.modality.renders_as)(ctx)
    return view
