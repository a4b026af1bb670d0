"""The settings a table gets unless the user sets them: chosen on development tables so that a
first `vaekit train --data table.csv` keeps the relations between columns (its latent units
in use), measured by benchmarks/tables_defaults.py.

Free bits let each latent unit carry a little information at no KL cost, so the decoder does not
settle for the columns' independent marginals (on the development tables, with no options, every
unit was inactive and a classifier trained on generated rows scored chance).
"""

from __future__ import annotations

import copy
from typing import Any

TABLE_SOURCES = ("table", "csv")
TABLE_DEFAULTS: dict[str, dict[str, Any]] = {
    "model": {"hidden": [256, 256], "latent_dim": 16},
    "objective": {"free_bits": 0.5},
    "train": {"batch_size": 256, "lr": 0.002, "epochs": 40},
}


def with_table_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` (raw config data) with every table default it does not set filled in, when its
    data source is a table; other configs unchanged. Dotted overrides applied later still win."""
    data = config.get("data")
    if not isinstance(data, dict) or data.get("name") not in TABLE_SOURCES:
        return config
    out = copy.deepcopy(config)
    for section, values in TABLE_DEFAULTS.items():
        given = out.setdefault(section, {})
        if not isinstance(given, dict):
            continue
        args = given.get("args") or given.get("arch_args") or {}
        for key, value in values.items():
            if key not in given and key not in args:
                given[key] = copy.deepcopy(value)
    return out
