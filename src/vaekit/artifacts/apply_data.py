"""The examples a trained run is applied to (``vaekit encode``, ``score``, ``impute``), prepared
exactly as the run's training saw its data.

The source is the run's own split, a built-in data set's split, or a file read whole and in
order (``vaekit.data.examples``). Images are binarized as the run's held-out split is (one fixed
draw when it binarizes dynamically); table rows are scaled with the run's training statistics,
not the new file's. A source whose examples do not match the run's model is one clear error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from vaekit import registry
from vaekit.artifacts.run_context import RunContext
from vaekit.config.schema import DataConfig
from vaekit.data import heldout_tensor, load_data
from vaekit.data.base import standardization_log_jacobian
from vaekit.data.examples import Examples, read_examples
from vaekit.errors import DataError
from vaekit.eval.data import EvalData, describe_binarization

FILE_SOURCES = ("arrays", "folder", "csv", "table")
TABLE_SUFFIXES = (".csv", ".parquet")


@dataclass
class Prepared:
    """``x``: (N, *shape) float as the model sees it (NaN where missing, for imputation);
    ``stored``: the examples as read; ``y``: labels or None; ``ids``: one per example."""

    x: Tensor
    stored: Tensor
    y: Tensor | None
    ids: list[str]
    source: str

    def __len__(self) -> int:
        return len(self.x)


def _split_examples(ctx: RunContext, data: str | None, split: str) -> Examples:
    if data is None:
        s = ctx.split(split)
        return Examples(s.stored, s.y, [f"{split}/{i}" for i in range(len(s))],
                        f"{ctx.path} ({split} split)", model_space=not ctx.is_image)
    base = ctx.config.data
    ds = load_data(DataConfig(name=data, download=base.download, cache_dir=base.cache_dir))
    x, y = (ds.test, ds.test_labels) if split == "test" else (ds.train, ds.train_labels)
    return Examples(x, y, [f"{split}/{i}" for i in range(len(x))], f"{data} ({split} split)")


def _table_examples(ctx: RunContext, path: Path) -> Examples:
    """A table file through the run's codec: its columns as the run typed them, in order."""
    codec = ctx.codec
    frame = codec.read(path)
    y = None
    if codec.label is not None and codec.label in frame.columns and ctx.classes:
        index = {name: i for i, name in enumerate(ctx.classes)}
        cells = [str(v) for v in frame[codec.label]]
        unknown = sorted({c for c in cells if c not in index})
        if unknown:
            raise DataError(f"{path}, column {codec.label!r}: label(s) {', '.join(unknown[:3])} "
                            "the run was not trained on")
        y = torch.tensor([index[c] for c in cells], dtype=torch.int64)
    return Examples(codec.encode(frame), y, [str(i) for i in range(len(frame))], str(path),
                    model_space=True, frame=frame)


def source_examples(ctx: RunContext, data: str | None, split: str = "test",
                    allow_missing: bool = False) -> Examples:
    """The examples of ``data``: None (the run's own ``split``), a built-in data set's ``split``,
    or the path of a file or image folder (every example, in order)."""
    if data is None or (data in registry.names("data") and data not in FILE_SOURCES):
        return _split_examples(ctx, data, split)
    if not data.strip():
        raise DataError("--data is empty: give a built-in data set, a file or a folder")
    if not ctx.is_image and Path(data).suffix.lower() in TABLE_SUFFIXES:
        return _table_examples(ctx, Path(data))
    shape = ctx.model.shape
    square = len(shape) == 3 and shape[1] == shape[2]
    return read_examples(Path(data), allow_missing, image_size=shape[1] if square else None,
                         color="rgb" if len(shape) == 3 and shape[0] == 3 else "grey")


def prepare_examples(ctx: RunContext, ex: Examples) -> Prepared:
    """``ex`` as the model sees it (DataError when its shape, values or labels do not fit)."""
    model = ctx.model
    if tuple(ex.x.shape[1:]) != tuple(model.shape):
        raise DataError(f"{ex.source}: examples of shape {tuple(ex.x.shape[1:])}, but the run's "
                        f"model takes {tuple(model.shape)}")
    if len(ex) == 0:
        raise DataError(f"{ex.source}: no examples")
    if ctx.conditional:
        if ex.y is None:
            raise DataError(f"{ex.source} has no labels, and this run's model is conditional")
        bad = (ex.y < 0) | (ex.y >= model.conditioner.num_classes)
        if bool(bad.any()):
            raise DataError(f"{ex.source}: label {int(ex.y[bad][0])} outside the run's "
                            f"0..{model.conditioner.num_classes - 1}")
    finite = ex.x[~torch.isnan(ex.x)] if ex.x.dtype.is_floating_point else ex.x
    if ctx.is_image:
        model.likelihood.check_support(finite, binarized=ctx.binarize != "none")
        x = heldout_tensor(ex.x, ctx.binarize, torch.device("cpu"))
        if ctx.binarize != "none":  # a binarized pixel that was missing stays missing
            x[torch.isnan(ex.x)] = float("nan")
    elif ex.model_space:
        x = ex.x.float()
    else:  # rows of numbers in their own units, one per column of the run
        import pandas as pd

        x = ctx.codec.encode(pd.DataFrame(ex.x.double().numpy(), columns=ctx.codec.columns))
    return Prepared(x, ex.x, ex.y, ex.ids, ex.source)


def eval_data(ctx: RunContext, p: Prepared, device: torch.device | str = "cpu") -> EvalData:
    """``p`` for ``vaekit.eval``: on ``device``, with the log-Jacobian that puts table densities
    in the data's own units."""
    std = ctx.info.get("column_std")  # rows the model sees standardized (a 2-D array, old runs)
    log_jacobian = standardization_log_jacobian(std)
    return EvalData(p.x.to(device), None if p.y is None else p.y.to(device), "examples",
                    p.source, describe_binarization(ctx.binarize),
                    eight_bit=p.stored.dtype == torch.uint8 and ctx.binarize == "none",
                    log_jacobian=log_jacobian)
