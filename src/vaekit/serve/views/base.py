"""How the explorer shows a run's examples: the protocol of the views registered as
``@register("view", name)``, one per name a modality gives in ``renders_as`` (images as PNG,
rows as JSON records). The explorer and its API ask the run's view; neither branches on what
the data are."""

from __future__ import annotations

from typing import Any, Protocol

from torch import Tensor


class View(Protocol):
    """Made from the opened run (``view(ctx)``); every tensor is a batch (B, *shape) on the CPU,
    floats as the model sees them (decoded means, held-out inputs) or as stored (``shown``)."""

    pngs: bool  # whether one decoded example can be answered as a raw PNG
    mode: str  # what the page shows: a PIL image mode (``L``, ``RGB``) or ``table``

    def decoded(self, x: Tensor) -> tuple[list[bytes], list[dict[str, Any]] | None]:
        """Decoded likelihood means ``x`` as PNG files, or (empty list) as table records."""
        ...

    def example(self, x: Tensor, shown: Tensor, recon: Tensor) -> dict[str, Any]:
        """One held-out example (``x`` as seen, ``shown`` as stored) and its reconstruction,
        for ``/api/encode``."""
        ...

    def examples(self, x: Tensor, shown: Tensor) -> dict[str, Any]:
        """Held-out examples as thumbnails (``images``) or records (``rows``)."""
        ...

    def columns(self) -> list[dict[str, Any]] | None:
        """The table's columns with their types, for the page; None for images."""
        ...

    def media(self) -> dict[str, Any]:
        """What a decode or sample answer carries besides its examples: media type, size or
        columns, mode."""
        ...
