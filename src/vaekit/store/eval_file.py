"""``RUN/eval.json``: an evaluation's numbers as strict JSON (no bare NaN or Infinity)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from vaekit.errors import RunError, UserError
from vaekit.store.atomic import write_json

EVAL_FILE = "eval.json"


def _non_finite(obj: Any, where: str = "") -> str | None:
    """The dotted name of the first NaN or infinite number in ``obj``, or None."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return where or "value"
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
    for key, value in items:
        found = _non_finite(value, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return None


def write_eval(result: Any, path: str | Path) -> None:
    """Write ``result.to_dict()`` atomically; UserError naming a number that is not finite."""
    data = result.to_dict()
    bad = _non_finite(data)
    if bad:
        raise UserError(f"the evaluation gave a non-finite {bad}; nothing was written to {path} "
                        "(are the weights or the data finite?)")
    write_json(path, data)


def read_eval(path: str | Path) -> dict[str, Any] | None:
    """The numbers of an eval.json, None when there is none; RunError when it is unreadable."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RunError(f"{path} is unreadable ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise RunError(f"{path} does not hold an evaluation")
    return data
