"""Reading a results file under ``benchmarks/results/`` and the line that says where it came from.

A file records its provenance under ``provenance`` (``benchmarks/provenance.py``): commit,
versions, processor, threads, date and command. A file whose numbers were not written by a
benchmark of this commit says how they got there instead: ``transcribed`` (copied from the
development log at a commit) or ``reconstructed`` (provenance added later from the commit that
wrote the file); either way the fields it could not recover are named as not recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
# What a result needs to be reproduced and compared; each table says which of these its file has.
PROVENANCE = ("commit", "vaekit", "torch", "cpu", "gpu", "threads", "date", "command")
# How numbers came to a file that a benchmark of this commit did not write.
ORIGINS = ("transcribed", "reconstructed")
# Older files name a field otherwise.
ALIASES = {"device": "gpu", "vaekit_version": "vaekit", "torch_version": "torch"}


def load(name: str) -> Any:
    """The JSON of ``benchmarks/results/<name>``."""
    return json.loads((RESULTS / name).read_text())


def recorded(data: Any) -> dict[str, Any]:
    """The provenance fields a results file carries (top level or under ``provenance``)."""
    if not isinstance(data, dict):
        return {}
    fields = {ALIASES.get(k, k): v for k, v in {**data, **data.get("provenance", {})}.items()}
    return {k: fields[k] for k in (*PROVENANCE, "machine", *ORIGINS) if k in fields}


def source_line(name: str, found: dict[str, Any], command: str) -> str:
    """A line under a table: its source file, the provenance it records and what it lacks."""
    missing = ", ".join(k for k in PROVENANCE if k not in found)
    origin = next((k for k in ORIGINS if k in found), None)
    if origin:  # what the file says of its origin names what it lacks
        where = f", on {found['machine']}" if "machine" in found else ""
        what = f"`{found.get('command', command)}`{where}"
        if origin == "transcribed":
            return (f"Transcribed {found[origin]}; not re-measured. Source: `benchmarks/results/{name}`; "
                    f"measured with {what}.")
        return (f"Source: `benchmarks/results/{name}`, written by {what}. Provenance reconstructed "
                f"{found[origin]}.")
    have = ", ".join(f"{k} {v}" for k, v in found.items()) or "none"
    line = f"Source: `benchmarks/results/{name}`, written by `{command}`. Provenance in the file: {have}."
    return line + (f" Not recorded: {missing}." if missing else "")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of ``rows`` under ``header`` (every cell already formatted)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in rows)])


def transcribed(name: str) -> str:
    """A table copied from the development log: its ``header``, ``rows`` (cells as they were
    recorded) and ``provenance`` (the commit that first recorded it, the command, the machine)."""
    data = load(name)
    prov = data["provenance"]
    return (table(data["header"], data["rows"]) + "\n\n"
            + source_line(name, recorded(data), prov.get("command", "")) + "\n")


def rate(r: dict, key: str) -> str:
    """A measured rate: the median of the runs, with each run's where there were several."""
    runs = r.get("runs")
    return f"{r[key]:,.0f}" + (f" ({', '.join(f'{v:,}' for v in runs)})" if runs and len(runs) > 1 else "")


def ratio(r: dict) -> str:
    """A streamed row's rate over the in-memory one's of the same size ('' where there is none)."""
    return f"{r['vs_memory']:.2f}x" if "vs_memory" in r else ""
