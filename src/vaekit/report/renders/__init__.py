"""The registered renders (``image``, ``rows``) and the one lookup: a run's render by the name
its modality declares."""

from __future__ import annotations

from vaekit import registry
from vaekit.data.modalities import Modality
from vaekit.report.renders.base import Draws, Render

__all__ = ["Draws", "Render", "render_for"]


def render_for(modality: Modality) -> Render:
    """The render of runs of ``modality`` (its ``renders_as``)."""
    render: Render = registry.get("render", modality.renders_as)()
    return render
