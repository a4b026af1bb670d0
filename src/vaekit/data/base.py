"""The in-memory data set every source returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import torch
from torch import Tensor

from vaekit.data.source import TensorSource
from vaekit.errors import DataError, UserError

if TYPE_CHECKING:
    from vaekit.data.batches import BatchSource
    from vaekit.data.table_codec import TableCodec


# The splits of a data set by name: test (reported once), val (validation: the per-epoch curve,
# early stopping and every choice), train.
SPLITS = ("test", "val", "train")


@dataclass
class Dataset:
    """A data set held as tensors in memory.

    ``train``/``val``/``test``: images as (N, C, H, W) uint8 in [0, 255] or float32 in [0, 1];
    table rows as (N, D) float32 (standardized, or a table codec's rows); counts as (N, D)
    float32 non-negative integers, as they are. Labels are (N,) int64
    or None. A source returns train and test; ``vaekit.data.validation`` then carves the
    validation split out of train (``val`` is None until then, and stays None for a run made
    before validation splits, whose per-epoch curve read test).
    """

    name: str
    train: Tensor
    test: Tensor
    kind: str  # the registered modality (``vaekit.data.modalities``): image, table, counts
    train_labels: Tensor | None = None
    test_labels: Tensor | None = None
    test_is_official: bool = False
    classes: list[str] | None = None
    columns: list[str] | None = None
    # Tabular: per-column mean and std used to standardize (to map generated rows back).
    column_mean: Tensor | None = None
    column_std: Tensor | None = None
    meta: dict[str, object] = field(default_factory=dict)
    # The likelihood that fits this data, declared by its source: registered name and
    # likelihood_args (None: chosen from the values, see ``data.likelihood_choice``).
    likelihood: tuple[str, dict[str, Any]] | None = None
    # A table's fitted transform between its file and the rows (stored with the run as JSON).
    codec: TableCodec | None = None
    # NaN cells are missing values that the likelihood leaves out (any other NaN is an error).
    missing_cells: bool = False
    # What the source tells the user at train time (a table's column types).
    summary: str = ""
    # How the validation split is carved from train: "random" (a seeded subset) or "last" (the
    # last examples: a published protocol, or memory-mapped data that must stay a view), and the
    # size the data set's protocol takes (None: a fraction of train).
    validation: Literal["random", "last"] = "random"
    validation_size: int | None = None
    val: Tensor | None = None
    val_labels: Tensor | None = None
    # A source that streams the training split from disk (data larger than memory); ``train``
    # then holds a sample of it (what its codec was fitted on). None: ``train`` is the split.
    train_source: BatchSource | None = None
    # What the validation split is, in words (config.json and the per-epoch curve say it).
    val_protocol: str = ""

    def training_batches(self, device: torch.device | str = "cpu") -> BatchSource:
        """The training split's batch source: the one streaming it from disk, else its tensors
        (moved to ``device``) in memory; unbinarized and unsharded, as every consumer takes it."""
        if self.train_source is not None:
            return self.train_source
        labels = None if self.train_labels is None else self.train_labels.to(device)
        return TensorSource(self.train.to(device), labels, "none", 0)

    def split(self, name: str) -> tuple[Tensor, Tensor | None]:
        """The examples and labels of split ``name`` (``SPLITS``); DataError for a validation
        split the data set does not have."""
        if name == "train":
            return self.train, self.train_labels
        if name == "test":
            return self.test, self.test_labels
        if name == "val":
            if self.val is None:
                raise DataError(f"data set {self.name!r} has no validation split (a run made "
                                "before validation splits): use the train or test split")
            return self.val, self.val_labels
        raise UserError(f"unknown split {name!r} (choose {', '.join(SPLITS)})")

    def transform_json(self) -> dict[str, Any]:
        """What maps the model's rows back to the data's own units, for config.json: a table's
        codec (so the run can read new files) and the per-column mean and std of standardized
        rows; empty for data the model sees as they are."""
        out: dict[str, Any] = {}
        if self.column_mean is not None and self.column_std is not None:
            out["column_mean"] = self.column_mean.tolist()
            out["column_std"] = self.column_std.tolist()
        if self.codec is not None:
            out["codec"] = self.codec.to_json()
        return out

    @property
    def log_jacobian(self) -> float:
        """log |d x_model / d x| per example: what turns the model's log-density of the rows it
        sees (standardized) into log p(x) of the rows in their own units, -sum_d log std_d
        (0 for data the model sees as they are)."""
        return standardization_log_jacobian(self.column_std)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of one example: (C, H, W) or (D,)."""
        return tuple(self.train.shape[1:])

    @property
    def num_classes(self) -> int | None:
        if self.classes is not None:
            return len(self.classes)
        if self.train_labels is None:
            return None
        return int(self.train_labels.max()) + 1


def standardization_log_jacobian(std: Tensor | list[float] | None) -> float:
    """-sum_d log std_d: log |d x_model / d x| of rows standardized with column stds ``std``
    (0 when there are none)."""
    if std is None or len(std) == 0:
        return 0.0
    return -float(torch.log(torch.as_tensor(std, dtype=torch.float64)).sum())


def split_fraction(
    n: int, fraction: float, seed: int
) -> tuple[Tensor, Tensor]:
    """Indices of a seeded (train, test) split with ``round(n * fraction)`` test examples."""
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(n, generator=g)
    n_test = max(1, round(n * fraction))
    return perm[n_test:], perm[:n_test]
