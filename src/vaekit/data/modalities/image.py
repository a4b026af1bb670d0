"""Images: (N, C, H, W) uint8 in [0, 255] or float in [0, 1], binarized when the run says so.

``model.likelihood=auto``, first match wins: binarized images are binary (Bernoulli); a source
that declares its likelihood gets it (the digits' 17 levels); binary images get Bernoulli; 8-bit
grey levels a discretized logistic over their 256 levels (a true probability per level); other
images in [0, 1] the continuous Bernoulli (a normalized density).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from vaekit.errors import DataError
from vaekit.registry import register

if TYPE_CHECKING:
    from torch import Tensor

    from vaekit.data.base import Dataset

BINARIZED = ("dynamic", "threshold")


@register("modality", "image")
class Image:
    name = "image"
    example_dims = 3
    claims_shape = True
    binarizes = True
    bits_per_dim = True
    unit_interval = True
    pictures = True
    has_columns = False
    has_codec = False
    renders_as = "image"
    draws_from = "prior"
    code_components = 10
    fitted_prior = None
    file_sources = ("arrays", "folder")
    suffixes: ClassVar[dict[str, str]] = {".npz": "arrays", ".npy": "arrays"}
    folder_suffixes = (".png", ".jpg", ".jpeg", ".tar")  # images, or tar shards of them
    folder_source = "folder"
    folder_rank = 0  # a folder with any image in it is a folder of images
    frame_suffixes = ()

    def check_layout(self, where: str, x: Tensor) -> None:
        if x.ndim != 4:
            raise DataError(f"{where}: images must be (N, C, H, W), got shape {tuple(x.shape)}")

    def check_values(self, where: str, x: Tensor) -> None:
        lo, hi = float(x.min()), float(x.max())
        if lo < 0 or hi > 1:
            raise DataError(f"{where}: float pixel values must lie in [0, 1], found [{lo:g}, "
                            f"{hi:g}]; divide 8-bit images by 255 or store them as uint8")

    def file_options(self, shape: tuple[int, ...]) -> dict[str, Any]:
        square = shape[1] == shape[2]
        return {"image_size": shape[1] if square else None,
                "color": "rgb" if shape[0] == 3 else "grey"}

    def support_values(self, x: Tensor) -> Tensor:
        return x[~x.isnan()] if x.dtype.is_floating_point else x

    def input_binarization(self, mode: str) -> str:
        return mode

    def check_binarization(self, ds: Dataset, mode: str) -> None:
        """Binarizing colour images would make each channel 0 or 1 (8 colours)."""
        if mode != "none" and ds.shape[0] == 3:
            raise DataError(f"data.binarize={mode} would turn each colour channel of {ds.name} "
                            "into 0 or 1 (8 colours): set data.binarize=none with a likelihood of "
                            "colour levels (model.likelihood=discretized_logistic_rgb), or "
                            "data.color=grey")

    def auto_likelihood(self, ds: Dataset, binarize: str) -> tuple[str, dict[str, Any], str]:
        import torch

        from vaekit.data.preprocess import is_binary

        if binarize in BINARIZED:
            return "bernoulli", {}, binarize
        settled = "none" if binarize == "auto" else binarize
        if ds.likelihood is not None:
            name, args = ds.likelihood
            return name, dict(args), settled
        if is_binary(ds.train) and is_binary(ds.test):
            return "bernoulli", {}, settled
        if ds.train.dtype == torch.uint8:
            return "discretized_logistic", {"levels": 256}, settled
        return "continuous_bernoulli", {}, settled

    def shape_likelihood(self) -> tuple[str, dict[str, Any]]:
        return "bernoulli", {}
