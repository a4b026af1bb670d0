"""Which likelihood p(x|z) fits a data set: what ``model.likelihood=auto`` becomes.

The rule, first match wins: binarized images are binary (Bernoulli); a source that declares its
likelihood gets it (a table's column types, the digits' 17 levels); binary images get Bernoulli;
8-bit grey levels a discretized logistic over their 256 levels (a true probability per level);
other images in [0, 1] the continuous Bernoulli (a normalized density); table rows a Gaussian with
a learned scale per column.
"""

from __future__ import annotations

from typing import Any

import torch

from vaekit.data.base import Dataset, is_binary


def likelihood_for_shape(shape: tuple[int, ...]) -> tuple[str, dict[str, Any]]:
    """What ``auto`` means for a model built without data (training always decides from the
    data): Bernoulli for images, a per-dimension Gaussian for rows."""
    return ("bernoulli", {}) if len(shape) == 3 else ("gaussian_pixel", {})


def choose_likelihood(ds: Dataset, binarize: str) -> tuple[str, dict[str, Any], str]:
    """(registered likelihood name, its likelihood_args, the binarization it needs) for ``ds``
    under ``data.binarize`` (``auto`` is settled here too)."""
    if ds.kind == "image" and binarize in ("dynamic", "threshold"):
        return "bernoulli", {}, binarize
    settled = "none" if binarize == "auto" else binarize
    if ds.likelihood is not None:
        name, args = ds.likelihood
        return name, dict(args), settled
    if ds.kind == "tabular":
        return "gaussian_pixel", {}, "none"
    if is_binary(ds.train) and is_binary(ds.test):
        return "bernoulli", {}, settled
    if ds.train.dtype == torch.uint8:
        return "discretized_logistic", {"levels": 256}, settled
    return "continuous_bernoulli", {}, settled
