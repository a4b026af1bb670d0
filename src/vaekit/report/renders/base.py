"""How a run of one modality is shown and what its commands write: the protocol of the renders
registered as ``@register("render", name)``, one per name a modality gives in ``renders_as``.

``vaekit sample``, ``vaekit reconstruct`` and the report ask the run's render; none of them
branches on what the data are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext
    from vaekit.explore.traverse import LatentStats


@dataclass(frozen=True)
class Draws:
    """What ``vaekit sample`` asks for: n draws of z from ``sampler`` (``components`` of a
    fitted mixture; None: the modality's number) at ``temperature``, decoded to their
    likelihood mean or (``stochastic``) drawn from p(x|z); ``label``: a conditional model's
    class, or None."""

    n: int
    seed: int = 0
    temperature: float = 1.0
    stochastic: bool | None = None  # None: the render's own default
    sampler: str = "auto"
    components: int | None = None  # None: the modality's own (code_components)
    label: str | None = None


class Render(Protocol):
    """What a modality's runs look like outside the model."""

    sample_file: str  # the file ``vaekit sample`` writes unless told
    reconstruct_file: str  # the file ``vaekit reconstruct`` writes unless told
    stochastic: bool  # whether ``vaekit sample`` draws from p(x|z) unless told

    def write_samples(self, ctx: RunContext, out: Path, draws: Draws) -> str:
        """Write ``draws`` to ``out``; the line that says what was written."""
        ...

    def write_reconstructions(self, ctx: RunContext, out: Path, n: int, split: str) -> list[str]:
        """Write how the model reconstructs ``split`` (its first ``n`` examples where they are
        shown one by one) to ``out``; the lines to print."""
        ...

    def report_sections(self, ctx: RunContext, split: str, stats: LatentStats) -> list[str]:
        """The report's sections that show the run's examples of ``split`` (HTML fragments)."""
        ...
