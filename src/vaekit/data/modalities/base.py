"""What a data modality is: the protocol every registered modality (image, table, counts) keeps.

A modality owns what differs between kinds of data: the checks of a split's values, the
preprocessing the model's inputs get (the binarization of images), what ``model.likelihood=auto``
becomes, whether bits/dim are reported, and which files and folders hold it. Consumers never
compare a modality's name: they ask what it declares here. How a run of the modality is shown
(pictures, rows) and what its commands write live above the data layer, as components
registered under the name in ``renders_as``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from torch import Tensor

    from vaekit.data.base import Dataset


class Modality(Protocol):
    """A kind of data; the class attributes are declared (the registry's index reads them from
    the source without importing the module)."""

    name: str
    example_dims: int  # dimensions of one example: 3 for (C, H, W), 1 for (D,)
    claims_shape: bool  # examples of ``example_dims`` dimensions with no stated modality are this
    binarizes: bool  # the run's data.binarize applies to its examples
    bits_per_dim: bool  # evaluation reports bits/dim besides nats per example
    unit_interval: bool  # the model sees values in [0, 1] (pixels)
    pictures: bool  # examples are pictures: grids, interpolations, the manifold, PNGs
    has_columns: bool  # examples are rows of named columns: generated rows, column errors
    has_codec: bool  # the rows are a fitted table codec's blocks (only its likelihood fits them)
    renders_as: str  # the name its renders and explorer views are registered under
    draws_from: str  # where generated codes come from in a model with a prior and no prior
    # fitted after training (``fitted_prior``, which comes first): "prior", or "gmm", a mixture
    # fitted on the training split's posterior means (a table run trained before)
    code_components: int  # components of that mixture (and of --sampler gmm by default)
    fitted_prior: str | None  # the registered prior fitted on the training codes once a run of a
    # model with Gaussian units has trained (it then replaces the trained prior everywhere), or
    # None: the prior the model trained with stays
    file_sources: tuple[str, ...]  # data sources that read a user's files of this modality
    suffixes: dict[str, str]  # file suffix given to --data -> the data source that reads it
    folder_suffixes: tuple[str, ...]  # files that make a folder given to --data this modality's
    folder_source: str  # the data source of such a folder ("" for none)
    folder_rank: int  # which modality a folder holding several kinds of files is (lowest wins)
    frame_suffixes: tuple[str, ...]  # files of named columns a run reads through its codec

    def check_layout(self, where: str, x: Tensor) -> None:
        """DataError (one line starting with ``where``) when split ``x`` is not laid out as
        examples of this modality."""
        ...

    def check_values(self, where: str, x: Tensor) -> None:
        """DataError when the finite float values of split ``x`` lie outside this modality's
        range (pixels in [0, 1])."""
        ...

    def file_options(self, shape: tuple[int, ...]) -> dict[str, Any]:
        """How ``data.examples.read_examples`` reads a file or folder for a model of example
        ``shape`` (an image folder: resized to a square model's size, in its colours)."""
        ...

    def support_values(self, x: Tensor) -> Tensor:
        """The values of inputs ``x`` that the likelihood's support check reads (missing pixels,
        NaN, left out; a row batch whole: its likelihood knows its missing cells)."""
        ...

    def input_binarization(self, mode: str) -> str:
        """The binarization the model's inputs get under the run's ``data.binarize``."""
        ...

    def check_binarization(self, ds: Dataset, mode: str) -> None:
        """DataError when binarization ``mode`` would destroy ``ds`` (colour channels)."""
        ...

    def auto_likelihood(self, ds: Dataset, binarize: str) -> tuple[str, dict[str, Any], str]:
        """What ``model.likelihood=auto`` is for ``ds`` under ``data.binarize``: (registered
        likelihood, its likelihood_args, the binarization it needs)."""
        ...

    def shape_likelihood(self) -> tuple[str, dict[str, Any]]:
        """What ``auto`` is for a model built without data."""
        ...
