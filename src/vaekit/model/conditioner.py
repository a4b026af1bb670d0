"""Conditioners: turn class labels into a code joined to encoder features and to z (CVAE)."""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vaekit.errors import UserError
from vaekit.registry import register


class Conditioner(nn.Module, ABC):
    """Labels y: (B,) int64 in [0, num_classes) -> code (B, dim); ``join`` appends it to h."""

    dim: int

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes

    @abstractmethod
    def code(self, y: Tensor) -> Tensor:
        """(B,) labels -> (B, dim) codes; each registered conditioner says how."""

    def join(self, h: Tensor, y: Tensor | None) -> Tensor:
        """h: (B, F) features or latents -> (B, F + dim), the label code appended."""
        if y is None:
            raise UserError("this model is conditional: it needs a class label per example "
                            "(data with labels; --label for sampling)")
        y = torch.as_tensor(y, device=h.device).long().reshape(-1)
        if len(y) != len(h):
            raise UserError(f"{len(y)} labels for {len(h)} examples")
        if len(y) and (int(y.min()) < 0 or int(y.max()) >= self.num_classes):
            raise UserError(f"labels must lie in 0..{self.num_classes - 1}, got "
                            f"{int(y.min())}..{int(y.max())} (model.num_classes)")
        return torch.cat([h, self.code(y).to(h.dtype)], dim=-1)


@register("conditioner", "onehot")
class OneHot(Conditioner):
    """The one-hot vector of y: dim = num_classes, no parameters."""

    def __init__(self, num_classes: int, label_dim: int = 0) -> None:
        super().__init__(num_classes)
        self.dim = num_classes

    def code(self, y: Tensor) -> Tensor:
        return F.one_hot(y, self.num_classes).float()


@register("conditioner", "embedding")
class Embedding(Conditioner):
    """A learned embedding of y: dim = ``label_dim``."""

    def __init__(self, num_classes: int, label_dim: int = 16) -> None:
        super().__init__(num_classes)
        self.dim = label_dim
        self.table = nn.Embedding(num_classes, label_dim)

    def code(self, y: Tensor) -> Tensor:
        return self.table(y)
