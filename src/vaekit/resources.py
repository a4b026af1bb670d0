"""Memory a command will need, estimated before it allocates, against what the machine has.

An allocation larger than memory either fails at once (torch and numpy raise) or, when the
kernel lets it through, kills the process once its pages are touched. So sizes that come from
options are estimated first (:func:`check_allocation`, :func:`check_module`), and an
allocation that fails anyway becomes one line (:func:`out_of_memory`, used by the CLI).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vaekit.errors import UserError

# What training keeps per parameter: the weights, their gradients and Adam's two moments.
TRAINING_COPIES = 4


def available_bytes() -> int | None:
    """Memory this process can still get: MemAvailable, within a cgroup's limit; None when the
    system does not say."""
    found = []
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kb = re.search(r"^MemAvailable:\s+(\d+) kB", meminfo, re.M)
        if kb:
            found.append(int(kb.group(1)) * 1024)
    except OSError:
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit.isdigit() and used.isdigit():
            found.append(int(limit) - int(used))
    except OSError:
        pass
    return min(found) if found else None


def size(nbytes: float) -> str:
    """``nbytes`` for a person: 3.1 GiB, 250 MiB."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes / 2**10:.0f} KiB"


def check_allocation(nbytes: float, what: str) -> None:
    """UserError when ``nbytes`` (an estimate of what ``what`` will allocate) is more than the
    memory available now."""
    free = available_bytes()
    if free is not None and nbytes > free:
        raise UserError(f"{what} needs about {size(nbytes)}, more than the {size(free)} of memory "
                        "available on this machine; choose smaller sizes")


def check_module(build: Callable[[], Any], what: str, training: bool = False) -> None:
    """Build the module ``build`` returns without allocating (on torch's meta device), count
    its parameters and buffers, and :func:`check_allocation` them (with gradients and optimizer
    moments when ``training``). A builder that cannot run on the meta device is not estimated."""
    import torch

    try:
        with torch.device("meta"):
            module = build()
    except Exception:  # the real build reports its own errors
        return
    params = sum(p.numel() * p.element_size() for p in module.parameters())
    buffers = sum(b.numel() * b.element_size() for b in module.buffers())
    check_allocation(params * (TRAINING_COPIES if training else 1) + buffers,
                     f"{what} ({sum(p.numel() for p in module.parameters()):,} parameters)")


def out_of_memory(exc: BaseException) -> str | None:
    """One line for an allocation that failed (numpy's MemoryError, torch's allocator error),
    with the memory available; None for any other error."""
    text = str(exc)
    if not isinstance(exc, MemoryError) and not (
            isinstance(exc, RuntimeError) and ("can't allocate memory" in text
                                               or "not enough memory" in text)):
        return None
    asked = re.search(r"allocate (\d+) bytes", text)
    need = f"{size(int(asked.group(1)))} at once" if asked else (
        text.removeprefix("Unable to allocate ").split(" for ")[0] if "Unable to allocate" in text
        else "more memory")
    free = available_bytes()
    have = f", with {size(free)} available" if free is not None else ""
    return (f"out of memory: this command needed {need}{have}; choose "
            "smaller sizes (model, batch, k) or data")
