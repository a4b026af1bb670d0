"""Where a benchmark's numbers come from: stored beside them in every results JSON."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

import torch

import vaekit

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return out + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _command() -> str:
    """How this process was started, as a user types it (``python -m benchmarks.NAME ...``)."""
    script = Path(sys.argv[0]).resolve()
    if script.parent == ROOT / "benchmarks":
        return " ".join(["python", "-m", f"benchmarks.{script.stem}", *sys.argv[1:]])
    return " ".join(["python", *sys.argv])


def provenance() -> dict[str, object]:
    """The commit, versions, processor, threads, date and command of this process."""
    return {
        "commit": _commit(),
        "vaekit": vaekit.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpu": _cpu(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": _command(),
    }


def write_results(path: Path, data: dict[str, object]) -> Path:
    """Write ``data`` with this process's provenance as the JSON file ``path`` (folders made)."""
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"provenance": provenance(), **data}, indent=1) + "\n")
    print(f"wrote {path}")
    return path
