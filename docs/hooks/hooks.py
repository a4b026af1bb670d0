"""MkDocs hooks: fill the generated parts of the pages when the site builds.

``{{ reference:cli }}``, ``{{ reference:config }}`` and ``{{ reference:components }}`` become
the reference generated from the code (``gen_ref.py``); ``{{ results:NAME }}`` a results table
rendered from ``benchmarks/results/`` (``results.py``). An unknown name fails the build.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_ref
import results

PLACEHOLDER = re.compile(r"\{\{ (reference|results):([\w-]+) \}\}")


def _fill(match: re.Match[str]) -> str:
    kind, name = match.groups()
    table = gen_ref.GENERATORS if kind == "reference" else results.TABLES
    if name not in table:
        raise KeyError(f"no generated {kind} named {name!r} (known: {', '.join(table)})")
    return table[name]()


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return PLACEHOLDER.sub(_fill, markdown)
