"""``RUN/iw-k<k>-seed<seed>/``: per-image bounds of a long evaluation, in files that add up.

``vaekit evaluate RUN --k 5000 --shard i/N`` writes one JSON file per finished block of images,
``<first>.json``: the index of its first image, ``n``, -IW_k (``nll``) and the ELBO of the same
draws (``elbo``) per image, nats, with what they are bounds of (a digest of the weights, k, the
seed, the block size ``batch`` and the split) and the seconds they took. Blocks draw from their
own seeded generators, so files written by different machines, sittings or worker counts add up
to one evaluation; a file of several blocks (as earlier versions wrote, 200 images of two blocks)
reads the same. A folder holding anything else is refused, never overwritten.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import torch

from vaekit.errors import UserError
from vaekit.eval.metrics import mean_se
from vaekit.store.atomic import write_json

RECORD = re.compile(r"\d{5,}\.json")
TEMPORARY = re.compile(r"\.\d{5,}\.json\..+\.tmp")  # an atomic write a killed process left
KEYS = ("weights", "k", "seed", "batch")


def bounds_folder(run: Path, k: int, seed: int, split: str = "test") -> Path:
    """Where the per-image bounds of RUN at k and seed live (the test split's keep the name
    earlier versions gave them)."""
    return run / f"iw-k{k}-seed{seed}{'' if split == 'test' else f'-{split}'}"


class BoundsFolder:
    """The block files of one evaluation: ``meta`` holds the weights digest, k, seed, batch and
    split every file must carry."""

    def __init__(self, folder: Path, meta: dict[str, Any]) -> None:
        self.folder = folder
        self.meta = meta

    def records(self) -> dict[int, dict[str, Any]]:
        """The files written so far, by the index of their first image (UserError naming the
        file when one is not a block file of this evaluation)."""
        if self.folder.exists() and not self.folder.is_dir():
            raise UserError(f"{self.folder} is a file: vaekit keeps per-image bounds in that "
                            "folder; move it away")
        out: dict[int, dict[str, Any]] = {}
        for path in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            if TEMPORARY.fullmatch(path.name):
                continue
            record = _read(path) if RECORD.fullmatch(path.name) else None
            if record is None:
                raise UserError(f"{path} is not a file of per-image bounds vaekit wrote: move it "
                                f"out of {self.folder}")
            theirs = {key: record.get(key) for key in KEYS} | {"split": record.get("split", "test")}
            if theirs != self.meta:
                differ = next(key for key in self.meta if theirs[key] != self.meta[key])
                raise UserError(f"{path} holds bounds of another evaluation (its {differ} "
                                f"differs): move {self.folder} away, or evaluate with its "
                                "settings")
            out[int(record["first"])] = record
        return out

    def done_blocks(self, records: dict[int, dict[str, Any]]) -> set[int]:
        """The first index of every block the files cover."""
        b = self.meta["batch"]
        return {r["first"] + i for r in records.values() for i in range(0, r["n"], b)}

    def write(self, first: int, nll: list[float], elbo: list[float],
              seconds: float) -> dict[str, Any]:
        """Keep one finished block; the record written."""
        record = {"first": first, "n": len(nll), **self.meta, "seconds": seconds,
                  "nll": nll, "elbo": elbo}
        self.folder.mkdir(exist_ok=True)
        write_json(self.folder / f"{first:05d}.json", record)
        return record


def _read(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    ok = (isinstance(record, dict) and all(key in record for key in (*KEYS, "first", "n"))
          and len(record.get("nll", ())) == record["n"] == len(record.get("elbo", ())))
    return record if ok else None


def per_image(records: dict[int, dict[str, Any]], name: str = "nll") -> dict[int, float]:
    """``name`` (``nll`` or ``elbo``) by image index."""
    return {r["first"] + i: v for r in records.values() for i, v in enumerate(r[name])}


def summary(records: dict[int, dict[str, Any]], of: int, k: int, seed: int) -> dict[str, Any]:
    """Mean and standard error of -IW_k and the ELBO over the images the files cover, nats."""
    nll, nll_se = mean_se(torch.tensor(list(per_image(records).values()), dtype=torch.float64))
    elbo, elbo_se = mean_se(torch.tensor(list(per_image(records, "elbo").values()),
                                         dtype=torch.float64))
    return {"k": k, "seed": seed, "n": len(per_image(records)), "of": of, "nll": nll,
            "nll_se": nll_se, "elbo": elbo, "elbo_se": elbo_se,
            "cpu_seconds": sum(r["seconds"] for r in records.values())}


def paired(ours: dict[int, dict[str, Any]], theirs: dict[int, dict[str, Any]]) -> dict[str, float]:
    """Our -IW_k minus theirs (another k), image by image on the images both cover: its mean and
    standard error, and where the mean over all of their images lands with our k (ours where we
    have it, theirs moved by the mean difference elsewhere)."""
    a, b = per_image(ours), per_image(theirs)
    common = sorted(set(a) & set(b))
    diff, diff_se = mean_se(torch.tensor([a[i] - b[i] for i in common], dtype=torch.float64))
    filled = [a.get(i, b[i] + diff) for i in sorted(b)]
    return {"n": len(common), "diff": diff, "diff_se": diff_se,
            "projected": sum(filled) / len(filled)}
