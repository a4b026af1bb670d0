"""An image folder (or tar shards) too large for memory: the training images stream through an
:class:`~vaekit.data.image_stream.ImageStreamSource`, decoded a batch at a time in loader
workers, while the held-out splits (at most ``HELDOUT`` images each) and a sample of the
training images (``SAMPLE``: what the likelihood's checks read) are decoded into memory.

The splits are those the folder has in memory (the same seeded test and validation subsets),
so a folder that fits gives the same batches either way. What a full read would check over
every image (colour, size) is judged on a sample of ``SAMPLE`` images, and the line that says
what was read says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vaekit.config.schema import DataConfig
from vaekit.data.base import Dataset, split_fraction
from vaekit.data.image_members import Member
from vaekit.data.image_read import ImageReader, describe, header_size, image_format, labels_of
from vaekit.data.image_stream import ImageStreamSource, decode, running_workers, usable_cores
from vaekit.data.validation import validation_indices
from vaekit.errors import DataError

# The most images each held-out split decodes into memory, and the training images sampled.
HELDOUT = 10_000
SAMPLE = 1_000


def _decode(members: list[Member], reader: ImageReader, index: np.ndarray) -> torch.Tensor:
    """The images ``members[index]``, decoded here: (n, C, H, W)."""
    x, error = decode(members, reader, index)
    if x is None:
        raise DataError(error or "no images to decode")
    return x


def stream_folder(cfg: DataConfig, root: Path, members: list[Member], image_size: int | None,
                  color: str, workers: int) -> Dataset:
    """The data set of ``members`` with its training split streamed (see the module)."""
    n = len(members)
    g = np.random.default_rng(cfg.split_seed)
    sample = np.sort(g.choice(n, size=min(n, SAMPLE), replace=False))
    reader, colour, _ = image_format([members[i] for i in sample], image_size, color)
    y, classes = labels_of(members)
    resized = sum(header_size(members[i]) != reader.size for i in sample)
    tr, te = (t.numpy() for t in split_fraction(n, cfg.test_fraction, cfg.split_seed))
    val = np.empty(0, dtype=np.int64)
    if cfg.val_size is not None:
        keep, at = validation_indices(len(tr), cfg.val_size, cfg.split_seed)
        tr, val = tr[keep.numpy()], tr[at.numpy()]
    train_sample = tr[np.sort(g.choice(len(tr), size=min(len(tr), SAMPLE), replace=False))]

    def labels(index: np.ndarray) -> torch.Tensor | None:
        return None if y is None else y[torch.from_numpy(index)]

    x_test = _decode(members, reader, te[:HELDOUT])
    ds = Dataset(
        name=root.name, train=_decode(members, reader, train_sample), test=x_test, kind="image",
        train_labels=labels(train_sample), test_labels=labels(te[:HELDOUT]), classes=classes,
        meta={"source": str(root), "files": n, "stream": True,
              "color": "rgb" if x_test.shape[1] == 3 else "grey"},
        summary=describe(n, root, reader, x_test.dtype == torch.float32, resized, image_size, colour,
                         of=f" (in a sample of {len(sample):,})" if len(sample) < n else "")
                + "; streamed from disk, " + _decoders(workers),
        train_source=ImageStreamSource(members, reader, tr, y, tuple(x_test.shape[1:]),
                                       cfg.split_seed, workers),
    )
    if cfg.val_size is not None:
        ds.val, ds.val_labels = _decode(members, reader, val[:HELDOUT]), labels(val[:HELDOUT])
        ds.val_protocol = (f"{min(len(val), HELDOUT):,} of the {len(tr) + len(val):,} training "
                           f"images, drawn with seed {cfg.split_seed}")
    return ds


def _decoders(workers: int) -> str:
    """Who decodes the batches, in words: the loader workers asked for, and how many run here."""
    if workers == 0:
        return "decoded per batch in the training process (data.workers=0)"
    runs = running_workers(workers)
    return f"decoded per batch by {workers} loader worker(s)" + (
        f" ({runs} on these {usable_cores()} cores: one is left to training)" if runs < workers else "")
