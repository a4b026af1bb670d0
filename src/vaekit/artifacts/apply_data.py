"""The examples a trained run is applied to (``vaekit encode``, ``score``, ``impute``), prepared
exactly as the run's training saw its data, one batch at a time.

The source is the run's own split, a built-in data set's split, or every example of a file in
order (``vaekit.data.examples``; a large ``.npy`` is memory-mapped). Images are binarized as the
run's held-out split is (one fixed draw when it binarizes dynamically, the same draw batch by
batch); table rows are scaled with the run's training statistics, not the new file's. Only the
batch being prepared is held as floats, so a source larger than RAM streams through. A source
whose examples do not match the run's model is one clear error: its shape before any batch,
its values and labels in the batch that holds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import torch
from torch import Tensor

from vaekit import registry
from vaekit.artifacts.run_context import SPLITS, RunContext
from vaekit.config.schema import DataConfig
from vaekit.data import heldout_tensor, load_data
from vaekit.data.base import standardization_log_jacobian
from vaekit.data.examples import Examples, IndexIds, read_examples
from vaekit.data.modalities import file_sources
from vaekit.data.preprocess import heldout_generator
from vaekit.errors import DataError, UserError
from vaekit.eval.data import Split, describe_binarization
from vaekit.store.paths import protect_input


def _split_examples(ctx: RunContext, data: str | None, split: str) -> Examples:
    if split not in SPLITS:
        raise UserError(f"unknown split {split!r} (choose {', '.join(SPLITS)})")
    if data is None:  # as stored: a run's split of a table holds the rows the model sees
        ds, source = ctx.dataset, f"{ctx.path} ({split} split)"
        model_space = ctx.modality.has_columns
    else:
        base = ctx.config.data
        ds = load_data(DataConfig(name=data, download=base.download, cache_dir=base.cache_dir))
        source, model_space = f"{data} ({split} split)", False
    x, y = ds.split(split)
    return Examples(x, y, IndexIds(len(x), f"{split}/"), source, model_space=model_space)


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
    return Examples(codec.encode(frame), y, IndexIds(len(frame)), str(path), model_space=True,
                    frame=frame)


def _shard_examples(ctx: RunContext, spec: str) -> Examples:
    """Every row of a folder or glob of table files, in order, read a row group at a time
    through the run's codec (the rows are never all in memory)."""
    from vaekit.data.shard_rows import shard_rows

    x, y = shard_rows(spec, ctx.codec, ctx.classes)
    return Examples(x, y, IndexIds(len(x)), spec, model_space=True)  # type: ignore[arg-type]


def source_examples(ctx: RunContext, data: str | None, split: str = "test",
                    allow_missing: bool = False) -> Examples:
    """The examples of ``data``: None (the run's own ``split``), a built-in data set's ``split``,
    or the path of a file or image folder (every example, in order)."""
    if data is None or (data in registry.names("data") and data not in file_sources()):
        return _split_examples(ctx, data, split)
    if not data.strip():
        raise DataError("--data is empty: give a built-in data set, a file or a folder")
    protect_input(data)
    if Path(data).suffix.lower() in ctx.modality.frame_suffixes:
        return _table_examples(ctx, Path(data))
    if ctx.modality.has_codec and (Path(data).is_dir() or any(ch in data for ch in "*?[")):
        return _shard_examples(ctx, data)  # a folder or glob of table files, streamed
    return read_examples(Path(data), allow_missing, **ctx.modality.file_options(ctx.model.shape))


def _check_layout(ctx: RunContext, ex: Examples) -> None:
    """What needs no values: the shape of an example, that there are some, labels if needed."""
    model = ctx.model
    if tuple(ex.x.shape[1:]) != tuple(model.shape):
        raise DataError(f"{ex.source}: examples of shape {tuple(ex.x.shape[1:])}, but the run's "
                        f"model takes {tuple(model.shape)}")
    if len(ex) == 0:
        raise DataError(f"{ex.source}: no examples")
    if ctx.conditional and ex.y is None:
        raise DataError(f"{ex.source} has no labels, and this run's model is conditional")


def _encode_rows(ctx: RunContext, stored: Tensor) -> Tensor:
    """Rows of numbers in their own units, one per column of the run, as the model sees them."""
    import pandas as pd

    return ctx.codec.encode(pd.DataFrame(stored.double().numpy(), columns=ctx.codec.columns))


def _prepare(ctx: RunContext, ex: Examples, start: int, stop: int,
             draw: torch.Generator) -> Split:
    """Examples ``start:stop`` as the model sees them, with their ids, on the CPU (DataError
    when a value or label does not fit); ``draw`` continues the fixed binarization of the
    batches before."""
    model = ctx.model
    stored = ex.x[start:stop]
    y = None if ex.y is None else ex.y[start:stop]
    ids = ex.ids[start:stop]
    if ctx.conditional and y is not None:
        bad = (y < 0) | (y >= model.conditioner.num_classes)
        if bool(bad.any()):
            raise DataError(f"{ex.source}: label {int(y[bad][0])} outside the run's "
                            f"0..{model.conditioner.num_classes - 1}")
    if not ex.checked:
        bad = ~torch.isfinite(stored.flatten(1)).all(1)
        if bool(bad.any()):
            raise DataError(f"{ex.source}, example {ids[int(bad.nonzero()[0])]}: NaN or infinite "
                            "values; clean them")
    # Rows of a file in their own units go through the run's codec; pixels are as stored.
    given = _encode_rows(ctx, stored) if ctx.modality.has_columns and not ex.model_space \
        else stored
    try:  # where the likelihood declares a support (pixels in range, counts)
        model.likelihood.check_support(ctx.modality.support_values(given),
                                       binarized=ctx.binarize != "none")
    except DataError as e:
        raise DataError(f"{ex.source}, examples {ids[0]} to {ids[-1]}: {e}") from None
    x = heldout_tensor(given, ctx.binarize, torch.device("cpu"), draw)
    if ctx.binarize != "none":  # a binarized pixel that was missing stays missing
        x[torch.isnan(stored)] = float("nan")
    std = ctx.info.get("column_std")  # rows the model sees standardized (a 2-D array, old runs)
    return Split("examples", x, y, stored, ex.source, describe_binarization(ctx.binarize),
                 eight_bit=stored.dtype == torch.uint8 and ctx.binarize == "none",
                 log_jacobian=standardization_log_jacobian(std),
                 bits_per_dim=ctx.modality.bits_per_dim, ids=ids)


def prepared_batches(ctx: RunContext, ex: Examples, batch_size: int) -> Iterator[Split]:
    """``ex`` as the model sees it, ``batch_size`` examples at a time in order: only the batch
    being prepared is made into floats. The shape is checked now (DataError), each batch's
    values and labels as it is made. Put together, the batches are bit for bit the one batch of
    ``prepare_examples`` (the same binarization draw)."""
    _check_layout(ctx, ex)
    draw = heldout_generator()
    return (_prepare(ctx, ex, start, start + batch_size, draw)
            for start in range(0, len(ex), batch_size))


def prepare_examples(ctx: RunContext, ex: Examples) -> Split:
    """Every example of ``ex`` as the model sees it, in one batch (DataError when its shape,
    values or labels do not fit): for imputation, which holds them all."""
    return next(prepared_batches(ctx, ex, len(ex)))


def eval_data(p: Split, device: torch.device | str = "cpu") -> Split:
    """The prepared examples ``p`` on ``device``, for ``vaekit.eval``."""
    return replace(p, x=p.x.to(device), y=None if p.y is None else p.y.to(device))
