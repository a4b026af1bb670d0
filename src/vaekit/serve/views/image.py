"""The explorer's view of a run of images: PNGs at the data's own size, grey or colour."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from vaekit.artifacts.run_context import RunContext
from vaekit.data import to_float
from vaekit.registry import register
from vaekit.serve.images import b64, image_mode, pngs


@register("view", "image")
class ImageView:
    pngs = True

    def __init__(self, ctx: RunContext) -> None:
        self.shape = tuple(ctx.model.shape)
        self.mode = image_mode(self.shape)  # 1 or 3 channels (ValueError otherwise)

    def decoded(self, x: Tensor) -> tuple[list[bytes], list[dict[str, Any]] | None]:
        return pngs(x), None

    def example(self, x: Tensor, shown: Tensor, recon: Tensor) -> dict[str, Any]:
        return {"image": b64(pngs(to_float(shown))[0]), "reconstruction": b64(pngs(recon)[0])}

    def examples(self, x: Tensor, shown: Tensor) -> dict[str, Any]:
        return {"images": [b64(p) for p in pngs(to_float(shown))]}

    def columns(self) -> list[dict[str, Any]] | None:
        return None

    def media(self) -> dict[str, Any]:
        _, h, w = self.shape
        return {"media_type": "image/png", "width": w, "height": h, "mode": self.mode}
