"""Tabular runs: per-column reconstruction errors in the data's own units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from vaekit.data.table_codec import TableCodec
from vaekit.errors import UserError
from vaekit.explore.labels import decode_labels
from vaekit.model.vae import VAE

NUMERIC = ("continuous", "integer", "datetime")


def _require_rows(model: VAE) -> None:
    if len(model.shape) != 1:
        raise UserError(f"this model's data are images of shape {model.shape}, not table rows")


@dataclass
class ColumnError:
    """One column's reconstruction error: RMSE in the column's units for numbers (seconds for
    datetimes; ``relative``: RMSE / the column's std), the fraction of wrong cells for
    categories and booleans."""

    name: str
    type: str
    value: float
    relative: float

    @property
    def short(self) -> str:
        return f"RMSE {self.value:.4g}" if self.type in NUMERIC else \
            f"error rate {100 * self.value:.1f} %"

    @property
    def text(self) -> str:
        if self.type in NUMERIC:
            return f"{self.short}  ({self.relative:.3f} of the column's std)"
        return self.short


@torch.no_grad()
def column_errors(model: VAE, x: Tensor, codec: TableCodec, y: Tensor | None = None
                  ) -> list[ColumnError]:
    """Per column of x: (N, D_model) model rows, the error of the reconstruction that decodes the
    posterior mean (missing cells are left out)."""
    _require_rows(model)
    y = decode_labels(model, len(x), y)
    xd = x.to(model.device)  # the prediction for x: its mean (at x's library size for counts)
    recon = model.decode(model.encode(xd, y).mean, y).prediction(xd).cpu()
    truth, guess = codec.decode(x.cpu()), codec.decode(recon)
    out = []
    for name, kind in codec.types().items():
        present = truth[name].notna().to_numpy()
        t, g = truth[name][present], guess[name][present]
        if kind == "datetime":  # seconds
            t, g = (np.asarray(v.astype("datetime64[ns]").astype("int64"), np.float64) / 1e9
                    for v in (t, g))
        if kind in NUMERIC:
            t, g = np.asarray(t, np.float64), np.asarray(g, np.float64)
            rmse = float(np.sqrt(np.mean((g - t) ** 2))) if len(t) else 0.0
            out.append(ColumnError(name, kind, rmse, rmse / (float(t.std()) or 1.0) if len(t) else 0.0))
        else:
            rate = float((t.astype(object).to_numpy() != g.astype(object).to_numpy()).mean()) \
                if len(t) else 0.0
            out.append(ColumnError(name, kind, rate, rate))
    return out
