"""``vaekit train --nproc N``: start N data-parallel processes with PyTorch's torchrun."""

from __future__ import annotations

import os
import subprocess
import sys


def under_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def launch_torchrun(nproc: int, vaekit_args: list[str]) -> int:
    """Run ``vaekit <vaekit_args>`` in ``nproc`` local processes (torchrun --standalone).

    Returns torchrun's exit status. On several machines, call torchrun yourself with its
    rendezvous flags (see the README).
    """
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc_per_node={nproc}", "-m", "vaekit", *vaekit_args]
    return subprocess.call(cmd)
