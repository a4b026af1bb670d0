"""``RUN/eval.json.partial/``: the finished batches of an evaluation, so a long one resumes.

An IW bound with k=5000 on 10k images is hours of CPU. Each finished batch is one safetensors
file (its per-example terms; every batch draws from its own seeded generator), written
atomically, and ``meta.json`` names the evaluation they belong to: the weights (a digest), the
data, the split, k, the batch size, the seed and the device type. A rerun of the same evaluation
takes the batches over and goes on from the next one, draw for draw as if it had never stopped;
any other evaluation starts afresh. The folder goes once the result is written. A folder that
holds anything vaekit did not write there is refused, never emptied.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from vaekit.errors import UserError
from vaekit.store.atomic import write_json, write_tensors

BATCH = re.compile(r"\d{6}\.safetensors")
META = "meta.json"
# What vaekit writes in a journal: the batches, meta.json and the temporary files of an atomic
# write that a killed process can leave behind.
OURS = re.compile(r"\d{6}\.safetensors|meta\.json|\.(\d{6}\.safetensors|meta\.json)\..+\.tmp")


def digest(tensors: dict[str, Tensor | None]) -> str:
    """sha256 of named tensors, in order: the same values, the same digest."""
    h = hashlib.sha256()
    for name, t in tensors.items():
        h.update(name.encode())
        if t is not None:
            h.update(str(t.dtype).encode())
            h.update(t.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


class EvalJournal:
    """The journal of the evaluation that writes ``out`` (see the module docstring)."""

    def __init__(self, out: Path, meta: dict[str, Any]) -> None:
        self.folder = out.with_name(out.name + ".partial")
        self.meta = meta
        self.kept = 0

    def resumable(self) -> int:
        """How many batches of this evaluation a rerun takes over (0: it starts afresh).

        UserError when the folder holds files vaekit did not write (it is never emptied then)."""
        self._check()
        if not self._ours():
            return 0
        return len(self._consecutive())

    def _check(self) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise UserError(f"{self.folder} is a file: vaekit keeps the finished batches of an "
                            "evaluation in that folder; move it away or choose another --out")
        if not self.folder.is_dir():
            return
        foreign = sorted(p.name for p in self.folder.iterdir() if not OURS.fullmatch(p.name))
        if foreign:
            raise UserError(f"{self.folder} holds files vaekit did not write ({foreign[0]}"
                            f"{', ...' if len(foreign) > 1 else ''}): move them away or choose "
                            "another --out")

    def _batches(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.safetensors") if BATCH.fullmatch(p.name))

    def _consecutive(self) -> list[Path]:
        """The batch files numbered 0, 1, 2, ... up to the first gap."""
        batches = self._batches()
        n = next((i for i, p in enumerate(batches) if p.name != f"{i:06d}.safetensors"),
                 len(batches))
        return batches[:n]

    def _ours(self) -> bool:
        try:
            return json.loads((self.folder / META).read_text()) == self.meta
        except (OSError, ValueError):
            return False

    def restore(self) -> list[dict[str, Tensor]]:
        """The batches of this evaluation kept so far (consecutive from the first); a journal
        of another evaluation is cleared."""
        from safetensors.torch import load_file

        self._check()
        if not self._ours():
            self.clear()
            write_json(self.folder / META, self.meta)
            return []
        parts = [load_file(path) for path in self._consecutive()]
        self.kept = len(parts)
        for path in self._batches()[self.kept :]:  # past a gap: not of this pass
            path.unlink()
        return parts

    def record(self, batch: dict[str, Tensor]) -> None:
        write_tensors(self.folder / f"{self.kept:06d}.safetensors", batch)
        self.kept += 1

    def clear(self) -> None:
        """Remove the journal's files (only ever vaekit's own: see ``_check``) and the folder."""
        if not self.folder.is_dir():
            return
        self._check()
        for path in self.folder.iterdir():
            path.unlink()
        self.folder.rmdir()
