"""Convert a config of vaekit 0.1 to the current form, saying what changed.

vaekit 0.1 kept every component's options flat in its section and saved them all (``model.hidden``
beside ``model.channels``, ``objective.k`` under ``objective.name: elbo``). Today a flat option
of the chosen component is moved into its args, and one of another component is an error; a 0.1
config is converted explicitly: the options of other components, which never applied, are
dropped. ``vaekit migrate`` writes the result; opening a 0.1
run converts its config in memory and says so once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from vaekit.config.presets import FLAT, every_option, own_options

_noticed: set[str] = set()


def migrate(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``data`` (raw config sections) in the current form, and each key dropped with the
    component it does not apply to (``{"model.hidden": "arch conv"}``). A current config comes
    back equal, with none dropped; the flat options of the chosen components stay flat."""
    out: dict[str, Any] = dict(data)
    dropped: dict[str, str] = {}
    for section, spec in FLAT.items():
        raw = data.get(section)
        if not isinstance(raw, dict):
            continue
        foreign = [k for k in raw if k in every_option(spec.kind) - own_options(raw, spec)
                   and k != spec.args_key]
        chosen = raw.get(spec.name_key, spec.default)
        dropped.update({f"{section}.{k}": f"{spec.kind} {chosen}" for k in foreign})
        if foreign:
            out[section] = {k: v for k, v in raw.items() if k not in foreign}
    return out, dropped


def open_old_config(data: Any, source: str | Path) -> Any:
    """The config of a run read from ``source``, converted from the 0.1 form where it has it;
    the first conversion of each source prints a one-line notice on stderr. Data that are not
    a mapping are returned for validation to reject."""
    if not isinstance(data, dict):
        return data
    new, dropped = migrate(data)
    if dropped and str(source) not in _noticed:
        _noticed.add(str(source))
        print(f"note: {source} holds a vaekit 0.1 config, converted in memory: dropped "
              f"{', '.join(dropped)} (options of components it does not use); `vaekit migrate` "
              "writes the current form", file=sys.stderr)
    return new
