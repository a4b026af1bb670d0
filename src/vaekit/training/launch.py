"""``vaekit train --nproc N``: start N data-parallel processes with PyTorch's torchrun.

The ranks' standard error passes through, less what repeats: an error that every rank meets
(bad data, a bad option) is printed once, as one line, and torchrun's own report of the failed
processes (log lines and a traceback) is left out, since that line already says what failed. A
rank that fails with a traceback of its own (a bug) is shown in full.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from typing import TextIO

# torchrun's log lines: "W1207 20:59:37.072000 1901 torch/distributed/elastic/...".
_TORCHRUN_LOG = re.compile(r"^[DIWEF]\d{4} \d\d:\d\d:\d\d")


def under_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def launch_torchrun(nproc: int, vaekit_args: list[str]) -> int:
    """Run ``vaekit <vaekit_args>`` in ``nproc`` local processes (torchrun --standalone).

    Returns 2 when the ranks ended on an error (printed once), else torchrun's exit status. On
    several machines, call torchrun yourself with its rendezvous flags (see the README).
    """
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc_per_node={nproc}", "-m", "vaekit", *vaekit_args]
    with subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, errors="replace") as proc:
        assert proc.stderr is not None
        error = filter_stderr(proc.stderr, sys.stderr)
    return 2 if error is not None and proc.returncode else proc.returncode


def filter_stderr(lines: Iterable[str], out: TextIO) -> str | None:
    """Copy ``lines`` (the ranks' and torchrun's stderr) to ``out`` as they come, printing the
    first ``error:`` line once and dropping its repeats and torchrun's report after it. Returns
    that error line, or None."""
    error: str | None = None
    for line in lines:
        if error is not None and (line.startswith("error: ") or _TORCHRUN_LOG.match(line)
                                  or not line.startswith("warning: ")):
            continue  # the same error from another rank, or torchrun reporting the failure
        if _TORCHRUN_LOG.match(line) and "Sending process" in line:
            continue
        if line.startswith("error: "):
            error = line
        out.write(line)
        out.flush()
    return error
