"""Labels for sampling a conditional model: one class, or a grid with one row per class."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from vaekit.errors import UserError
from vaekit.model.vae import VAE


@dataclass
class LabelPlan:
    """``labels``: (m,) label of each image, or None (unconditional); ``n_codes`` distinct codes
    are drawn and reused by every row (m = rows * n_codes); ``ncol`` columns of the grid."""

    labels: Tensor | None
    n_codes: int
    ncol: int | None = None


def parse_label(model: VAE, label: str | None, n: int) -> LabelPlan:
    """``--label`` (an integer class, ``all``, or None) -> what to draw; UserError when invalid.

    A conditional model without ``--label`` gets ``all``: one row per class, ceil(n / classes)
    columns, the same code z in each column so that only the label changes down a column.
    """
    cond = model.conditioner
    if cond is None:
        if label is not None:
            raise UserError(f"--label {label}: this model is not conditional (trained without "
                            "labels; model.conditioner is null)")
        return LabelPlan(None, n)
    classes = int(cond.num_classes)
    if label is None or label == "all":
        per = math.ceil(n / classes)
        return LabelPlan(torch.arange(classes).repeat_interleave(per), per, per)
    try:
        value = int(label)
    except ValueError:
        raise UserError(f"--label {label!r}: give a class number 0..{classes - 1} or 'all'") from None
    if not 0 <= value < classes:
        raise UserError(f"--label {value}: out of range, this model has classes 0..{classes - 1}")
    return LabelPlan(torch.full((n,), value, dtype=torch.long), n)
