"""Counts: (N, D) float32 rows of non-negative integers, as they are (the encoder reads
log1p(x), declared by the count likelihoods: ``dists.likelihoods.count_base``), never binarized.

``model.likelihood=auto``: the likelihood the source declares (the negative binomial with the
training split's library-size prior, ``data.counts``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from vaekit.data.modalities.rows import RowExamples
from vaekit.registry import register

if TYPE_CHECKING:
    from vaekit.data.base import Dataset


@register("modality", "counts")
class Counts(RowExamples):
    name = "counts"
    example_dims = 1
    claims_shape = False  # rows with no stated modality are a table's
    binarizes = False
    bits_per_dim = False
    unit_interval = False
    pictures = False
    has_columns = True
    has_codec = False
    renders_as = "rows"
    draws_from = "prior"
    code_components = 10
    fitted_prior = None
    file_sources = ("counts",)
    suffixes: ClassVar[dict[str, str]] = {".h5ad": "counts"}
    folder_suffixes = ()
    folder_source = ""
    frame_suffixes = (".csv", ".parquet")
    folder_rank = 2

    def auto_likelihood(self, ds: Dataset, binarize: str) -> tuple[str, dict[str, Any], str]:
        from vaekit.data.counts import LIKELIHOOD

        name, args = ds.likelihood if ds.likelihood is not None else (LIKELIHOOD, {})
        return name, dict(args), "none" if binarize == "auto" else binarize

    def shape_likelihood(self) -> tuple[str, dict[str, Any]]:
        from vaekit.data.counts import LIKELIHOOD

        return LIKELIHOOD, {}
