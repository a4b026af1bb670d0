"""What a model and every consumer need to know about a run's data, without reading the data.

A :class:`DataSpec` is made from the data set when training starts and stored in the run's
``config.json`` (under ``data``); a run opens from it alone. Runs made before validation splits
stored no ``n_val``: they open with none, and say that their per-epoch curve read test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vaekit.data.base import Dataset, standardization_log_jacobian
from vaekit.data.modalities import LEGACY


@dataclass(frozen=True)
class DataSpec:
    """``kind``: the registered modality (image, table, counts; a legacy name read from an old
    run is mapped, ``vaekit.data.modalities.LEGACY``); ``sizes``: examples per split (train, val, test);
    ``curve_split``: the split the per-epoch curve and early stopping read (``val``, or ``test``
    for runs made before validation splits); ``validation``: what the validation split is, in
    words. ``extra``: the table's transform (``codec``, ``column_mean``/``column_std``), as
    stored."""

    name: str
    kind: str
    sizes: dict[str, int]
    curve_split: str = "val"
    validation: str = ""
    test_is_official: bool = False
    classes: list[str] | None = None
    columns: list[str] | None = None
    binarize: str = "auto"
    likelihood: str = "auto"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, ds: Dataset, binarize: str, likelihood: str) -> DataSpec:
        """The description of a loaded data set, under the run's binarization and likelihood."""
        return cls(
            name=ds.name, kind=ds.kind,
            sizes={"train": len(ds.training_batches()),
                   "val": 0 if ds.val is None else len(ds.val), "test": len(ds.test)},
            curve_split="test" if ds.val is None else "val", validation=ds.val_protocol,
            test_is_official=ds.test_is_official, classes=ds.classes, columns=ds.columns,
            binarize=binarize, likelihood=likelihood, extra=ds.transform_json(),
        )

    def to_json(self) -> dict[str, Any]:
        """The ``data`` entry of config.json (the keys runs have always stored, and the new)."""
        return {
            "name": self.name, "kind": self.kind, "n_train": self.sizes["train"],
            "n_val": self.sizes["val"], "n_test": self.sizes["test"],
            "curve_split": self.curve_split, "validation": self.validation,
            "test_is_official": self.test_is_official, "classes": self.classes,
            "columns": self.columns, "binarize": self.binarize, "likelihood": self.likelihood,
            **self.extra,
        }

    @classmethod
    def from_json(cls, info: dict[str, Any] | None) -> DataSpec:
        """The spec stored in config.json; the defaults of runs made before validation splits
        (no ``n_val``: none, the curve read test)."""
        info = info or {}
        legacy = "n_val" not in info
        return cls(
            name=str(info.get("name", "")),
            kind=LEGACY.get(str(info.get("kind", "")), str(info.get("kind", ""))),
            sizes={"train": int(info.get("n_train") or 0), "val": int(info.get("n_val") or 0),
                   "test": int(info.get("n_test") or 0)},
            curve_split="test" if legacy else str(info.get("curve_split", "val")),
            validation=("none: the per-epoch curve read the test split (a run made before "
                        "validation splits)") if legacy else str(info.get("validation", "")),
            test_is_official=bool(info.get("test_is_official", False)),
            classes=info.get("classes"), columns=info.get("columns"),
            binarize=str(info.get("binarize", "auto")),
            likelihood=str(info.get("likelihood", "auto")),
            extra={k: info[k] for k in ("codec", "column_mean", "column_std") if k in info},
        )

    @property
    def log_jacobian(self) -> float:
        """log |d x_model / d x| per example of rows standardized with the stored stds (0 for
        data the model sees as they are; a codec's blocks carry their own units)."""
        return standardization_log_jacobian(self.extra.get("column_std"))

    @property
    def curve_name(self) -> str:
        """The per-epoch curve's split, in words."""
        return "validation" if self.curve_split == "val" else "test"
