"""``RUN/eval.json.partial/``: the finished batches of an evaluation, so a long one resumes.

An IW bound with k=5000 on 10k images is hours of CPU. Each finished batch is one safetensors
file (its per-example terms and the generator's state after it), written atomically, and
``meta.json`` names the evaluation they belong to: the weights (a digest), the data, the split,
k, the batch size, the seed and the device type. A rerun of the same evaluation takes the
batches over and goes on from the next one, draw for draw as if it had never stopped; any other
evaluation starts afresh. The folder goes once the result is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from vaekit.store.atomic import write_json, write_tensors

STATE = "generator_state"
BATCH = re.compile(r"\d{6}\.safetensors")


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
        """How many batches of this evaluation a rerun takes over (0: it starts afresh)."""
        if not self._ours():
            return 0
        return len(self._consecutive())

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
            return json.loads((self.folder / "meta.json").read_text()) == self.meta
        except (OSError, ValueError):
            return False

    def restore(self) -> tuple[list[dict[str, Tensor]], Tensor | None]:
        """The batches of this evaluation kept so far (consecutive from the first) and the
        generator state after the last; a journal of another evaluation is cleared."""
        from safetensors.torch import load_file

        if not self._ours():
            self.clear()
            write_json(self.folder / "meta.json", self.meta)
            return [], None
        parts = [load_file(path) for path in self._consecutive()]
        self.kept = len(parts)
        for path in self._batches()[self.kept :]:  # past a gap: not of this pass
            path.unlink()
        if not parts:
            return [], None
        state = parts[-1][STATE]
        return [{n: t for n, t in p.items() if n != STATE} for p in parts], state

    def record(self, batch: dict[str, Tensor], generator_state: Tensor) -> None:
        write_tensors(self.folder / f"{self.kept:06d}.safetensors",
                      {**batch, STATE: generator_state})
        self.kept += 1

    def clear(self) -> None:
        """Remove the journal's own files (and the folder, when nothing else is in it)."""
        if not self.folder.is_dir():
            return
        for path in [*self._batches(), self.folder / "meta.json"]:
            path.unlink(missing_ok=True)
        if not any(self.folder.iterdir()):
            self.folder.rmdir()
