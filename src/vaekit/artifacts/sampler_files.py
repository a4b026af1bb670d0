"""Fitted samplers in a run folder: ``samplers/<name>.safetensors`` + ``samplers/<name>.json``.

The JSON records what the sampler was fitted on, including the sha256 of ``model.safetensors``
at fitting time: a sampler fitted on other weights (say, before ``--resume``) is refitted.
A fitted sampler is a registered one (``vaekit.samplers``) with ``fit``, ``state`` and
``from_state``; this module stores any of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file

import vaekit
from vaekit import registry
from vaekit.errors import RunError
from vaekit.samplers.base import Sampler
from vaekit.store.atomic import write_json, write_tensors

FOLDER = "samplers"


def save_sampler(run: str | Path, sampler: Any, meta: dict[str, Any]) -> None:
    """Write the sampler's tensors and ``meta`` (plus versions) atomically, JSON last."""
    folder, name = Path(run) / FOLDER, sampler.name
    tensors = {k: v.contiguous() for k, v in sampler.state().items()}
    write_tensors(folder / f"{name}.safetensors", tensors)
    write_json(folder / f"{name}.json", {"sampler": name, "vaekit_version": vaekit.__version__,
                                         **sampler.describe(), **meta})


def load_sampler(run: str | Path, name: str) -> tuple[Sampler, dict[str, Any]] | None:
    """The saved sampler ``name`` and its JSON, or None when the run has none; RunError when
    corrupt."""
    folder = Path(run) / FOLDER
    if not (folder / f"{name}.json").exists():
        return None
    try:
        meta = json.loads((folder / f"{name}.json").read_text())
        state = load_file(str(folder / f"{name}.safetensors"))
        return registry.get("sampler", name).from_state(state), meta
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, SafetensorError, KeyError,
            RuntimeError, ValueError) as exc:
        raise RunError(f"{folder} holds a corrupt {name} sampler ({type(exc).__name__}); delete "
                       "it to refit") from None
