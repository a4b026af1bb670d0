"""Which likelihood p(x|z) fits a data set: what ``model.likelihood=auto`` becomes.

Each modality owns its rule (``vaekit.data.modalities``: images by their values and
binarization, a table's declared columns, counts' negative binomial); these ask it.
"""

from __future__ import annotations

from typing import Any

from vaekit.data.base import Dataset
from vaekit.data.modalities import for_shape, modality


def likelihood_for_shape(shape: tuple[int, ...]) -> tuple[str, dict[str, Any]]:
    """What ``auto`` means for a model built without data (training always decides from the
    data): that of the modality the example shape claims (Bernoulli for images, a
    per-dimension Gaussian for rows)."""
    return for_shape(shape).shape_likelihood()


def choose_likelihood(ds: Dataset, binarize: str) -> tuple[str, dict[str, Any], str]:
    """(registered likelihood name, its likelihood_args, the binarization it needs) for ``ds``
    under ``data.binarize`` (``auto`` is settled here too)."""
    return modality(ds.kind).auto_likelihood(ds, binarize)
