"""The run behind the explorer, loaded once: model, held-out split, latent statistics, map.

Every operation is bounded by the request schemas, checks what depends on the run (a code's
length, an example index, a label) with a one-line :class:`BadRequest`, and decodes all of its
codes in one batched forward pass under ``torch.inference_mode`` (one pass at a time: the lock
keeps a burst of requests from multiplying the threads and memory in use).
"""

from __future__ import annotations

import math
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from vaekit.artifacts.run_context import RunContext
from vaekit.data import to_float
from vaekit.errors import UserError
from vaekit.explore.interpolate import lerp, slerp
from vaekit.explore.labels import is_conditional
from vaekit.explore.latent_map import embed_2d, subsample
from vaekit.explore.traverse import latent_stats
from vaekit.serve.images import b64
from vaekit.serve.run_info import describe_run
from vaekit.serve.schemas import MAX_CODES, MAX_EXAMPLES, MAX_N, MAX_STEPS
from vaekit.serve.views import View, view_for

MAP_POINTS = 2000  # held-out examples behind the KL order and the latent map


def _finite(v: Tensor | float) -> float | None:
    """A number for JSON: None where it is NaN or infinite (JSON has neither)."""
    f = float(v)
    return f if math.isfinite(f) else None


class BadRequest(UserError):
    """Valid JSON that asks for something this run does not have (HTTP 422, or ``status``)."""

    status = 422


class UnknownExample(BadRequest):
    """An example index beyond the end of the held-out split."""

    status = 404


@dataclass
class Images:
    """What codes decode to, with the codes (and any warnings of the model): PNG bytes of images,
    or for a table run the rows as {column: value} in the original units (``rows``)."""

    pngs: list[bytes]
    codes: list[list[float]]
    notes: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] | None = None

    def json(self) -> dict[str, Any]:
        shown = {"rows": self.rows} if self.rows is not None else \
            {"images": [b64(p) for p in self.pngs]}
        return {**shown, "codes": self.codes, "notes": self.notes}


class Explorer:
    """A run's model and held-out split in memory, and the bounded operations of the API."""

    def __init__(self, path: Path, model: Any, header: dict[str, Any], x: Tensor, shown: Tensor,
                 y: Tensor | None, classes: list[str] | None, view: View,
                 map_points: int = MAP_POINTS, seed: int = 0) -> None:
        self.path, self.model, self.header = path, model, header
        self.x, self.shown, self.y = x, shown, y
        self.view = view  # how the run's examples are shown: PNGs, or table rows
        self.mode = view.mode
        self.lock = threading.Lock()
        self.conditional = is_conditional(model)
        n_classes = int(model.conditioner.num_classes) if self.conditional else 0
        self.classes = (classes if classes and len(classes) == n_classes
                        else [str(c) for c in range(n_classes)]) if self.conditional else classes
        self.center = model.prior.center()  # the base code of the sliders
        idx = subsample(len(x), map_points, seed)
        with self.lock, torch.inference_mode():
            stats = latent_stats(model, x[idx], None if y is None else y[idx])
        kl = stats.kl  # None where the KL has no closed form per dimension
        key = kl if kl is not None else stats.variance
        self.order = [int(d) for d in torch.argsort(key, descending=True, stable=True)]
        units = model.latent.caps.gaussian_units  # only Gaussian units can be inactive
        self.dims = [{"index": d, "kl": None if kl is None else _finite(kl[d]),
                      "variance": _finite(stats.variance[d]),
                      "active": bool(stats.active[d]) or not units}
                     for d in self.order]
        points, method = embed_2d(stats.means.nan_to_num(0.0), "auto", seed)
        self.map = {"method": method, "n": len(idx), "of": len(x), "index": idx.tolist(),
                    "x": [round(float(v), 4) for v in points[:, 0]],
                    "y": [round(float(v), 4) for v in points[:, 1]],
                    "label": None if y is None else [int(v) for v in y[idx]]}

    @classmethod
    def load(cls, path: str | Path, map_points: int = MAP_POINTS, seed: int = 0) -> Explorer:
        """Load RUN's model (safetensors) and its held-out split; one-line UserError if unusable."""
        ctx = RunContext.open(path, "cpu")
        model = ctx.model
        view = view_for(ctx)
        test = ctx.split("test")
        shown = test.stored if test.stored.dtype == torch.uint8 else to_float(test.stored)
        header = {**describe_run(ctx.path, ctx.config, ctx.raw), "prior": model.prior.description,
                  "prior_fitted": ctx.prior_fitted}
        return cls(ctx.path, model, header, test.x, shown, test.y,
                   ctx.classes or ctx.dataset.classes, view, map_points, seed)

    def _shown(self, x: Tensor, codes: list[list[float]], notes: list[str] | None = None) -> Images:
        """Decoded likelihood means as PNGs, or as table rows for a table run."""
        files, rows = self.view.decoded(x)
        return Images(files, codes, notes or [], rows)

    # -- checks -----------------------------------------------------------------------------
    def _check_label(self, label: int | None) -> int:
        label = 0 if label is None else label
        if not 0 <= label < len(self.classes or []):
            raise BadRequest(f"label {label}: this model has classes 0 to {len(self.classes or []) - 1}")
        return label

    def _labels(self, n: int, label: int | None) -> Tensor | None:
        """(n,) copies of a checked label for a conditional model; None for other models."""
        if not self.conditional:
            return None
        return torch.full((n,), self._check_label(label), dtype=torch.long)

    def _index(self, i: int, name: str) -> int:
        if not 0 <= i < len(self.x):
            raise UnknownExample(f"{name} {i}: the held-out split has {len(self.x)} examples "
                                 f"(indices 0 to {len(self.x) - 1})")
        return i

    def _own_label(self, i: int, label: int | None) -> int | None:
        return label if label is not None or self.y is None else int(self.y[i])

    # -- forward passes ---------------------------------------------------------------------
    def _decode(self, z: Tensor, labels: Tensor | None) -> Tensor:
        with self.lock, torch.inference_mode():
            return self.model.decode(z, labels).mean

    def decode(self, codes: list[list[float]], label: int | None = None) -> Images:
        """Decode up to MAX_CODES codes of the run's latent size in one batch."""
        dim = self.model.latent_dim
        if not 1 <= len(codes) <= MAX_CODES:
            raise BadRequest(f"give 1 to {MAX_CODES} codes, not {len(codes)}")
        for c in codes:
            if len(c) != dim:
                raise BadRequest(f"z has {len(c)} numbers; this run's latent has {dim} dimensions")
        z = torch.tensor(codes, dtype=torch.float32)
        return self._shown(self._decode(z, self._labels(len(z), label)), codes)

    def sample(self, n: int, temperature: float = 1.0, seed: int = 0,
               label: int | None = None) -> Images:
        """n draws of the model's prior (whatever it is; a warning of the prior, such as a code
        grid's that has no fitted prior yet, goes in ``notes``)."""
        n = min(max(n, 1), MAX_N)
        labels = self._labels(n, label)
        g = torch.Generator().manual_seed(seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with self.lock, torch.inference_mode():
                z = self.model.prior.sample(n, "cpu", temperature, g)
        images = self._decode(z, labels)
        return self._shown(images, z.tolist(), list(dict.fromkeys(str(w.message) for w in caught)))

    def _encode(self, idx: list[int], labels: Tensor | None) -> Tensor:
        with self.lock, torch.inference_mode():
            return self.model.encode(self.x[idx], labels).mean

    def encode(self, index: int, label: int | None = None) -> dict[str, Any]:
        """E[z|x] of held-out example ``index``, its image and the decoded mean."""
        i = self._index(index, "index")
        own = self._own_label(i, label)
        labels = self._labels(1, own)
        z = self._encode([i], labels)
        recon = self._decode(z, labels)
        return {"index": i, "z": z[0].tolist(), "label": own,
                **self.view.example(self.x[i : i + 1], self.shown[i : i + 1], recon)}

    def interpolate(self, i: int, j: int, steps: int = 8, method: str = "lerp",
                    label: int | None = None) -> Images:
        """Decoded lerp/slerp path between the posterior means of examples i and j."""
        i, j = self._index(i, "from"), self._index(j, "to")
        steps = min(max(steps, 2), MAX_STEPS)
        own = self._own_label(i, label)
        ends = None if not self.conditional else torch.tensor(
            [self._check_label(own), self._check_label(self._own_label(j, label))])
        za, zb = self._encode([i, j], ends)
        path = (slerp if method == "slerp" else lerp)(za, zb, steps)
        return self._shown(self._decode(path, self._labels(steps, own)), path.tolist())

    def examples(self, start: int = 0, count: int = 32) -> dict[str, Any]:
        """Thumbnails of held-out examples start .. start+count-1 (as stored, not binarized)."""
        start = self._index(start, "start")
        stop = min(start + min(max(count, 1), MAX_EXAMPLES), len(self.x))
        labels = None if self.y is None else [int(v) for v in self.y[start:stop]]
        return {"start": start, "total": len(self.x), "labels": labels,
                **self.view.examples(self.x[start:stop], self.shown[start:stop])}

    def info(self) -> dict[str, Any]:
        """Everything the page needs to lay itself out."""
        caps = self.model.latent.caps
        # A latent whose prior is fitted after training: has this run got it yet?
        fitted = None if caps.fitted_prior is None else bool(self.header.get("prior_fitted"))
        return {**self.header, "latent_dim": self.model.latent_dim, "shape": list(self.model.shape),
                "columns": self.view.columns(),
                "mode": self.mode, "dims": self.dims, "conditional": self.conditional,
                "classes": self.classes, "coordinates": caps.coordinates,
                "gaussian_units": caps.gaussian_units, "fitted_prior": caps.fitted_prior,
                "vq": caps.fitted_prior is not None, "code_prior": fitted,
                "center": [round(float(v), 4) for v in self.center],
                "heldout": {"split": "test", "n": len(self.x)},
                "limits": {"codes": MAX_CODES, "n": MAX_N, "steps": MAX_STEPS,
                           "examples": MAX_EXAMPLES}}
