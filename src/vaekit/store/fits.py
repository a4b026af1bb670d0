"""Saved state checked against what the run declares now, before anything loads it: the
weights against the model that config.json builds, an optimizer's state against the optimizer
config.json names, the data info stored with the run against what its data give now. Each
check says what differs, or None when the state fits."""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn


def _shape(value: Any) -> tuple[int, ...] | None:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def weights_differ(saved: Any, model: nn.Module) -> str | None:
    """What differs between ``saved`` (a state dict of tensors) and ``model``'s own parameters
    and buffers: names missing or extra, or the first shapes that differ."""
    if not isinstance(saved, Mapping):
        return f"it holds a {type(saved).__name__}, not named tensors"
    own = model.state_dict()
    missing, extra = [k for k in own if k not in saved], [k for k in saved if k not in own]
    shapes = [f"{k} is {_shape(saved[k])} there, {tuple(v.shape)} in the model" for k, v in
              own.items() if k in saved and _shape(saved[k]) != tuple(v.shape)]
    for what, names in (("the model has no", extra), ("it lacks the model's", missing)):
        if names:
            more = f" (and {len(names) - 2} more)" if len(names) > 2 else ""
            return f"{what} {', '.join(names[:2])}{more}"
    if shapes:
        more = f" (and {len(shapes) - 1} more)" if len(shapes) > 1 else ""
        return shapes[0] + more
    return None


def _state_keys(opt: torch.optim.Optimizer) -> set[str]:
    """The per-parameter state ``opt``'s kind keeps (e.g. exp_avg, exp_avg_sq for Adam): one
    step of an optimizer of the same kind and settings on a one-number parameter."""
    group = opt.param_groups[0]
    accepted = inspect.signature(type(opt)).parameters
    settings = {k: v for k, v in group.items() if k in accepted and k != "params"}
    p = nn.Parameter(torch.zeros(1, device=group["params"][0].device))
    probe = type(opt)([p], **settings)
    p.grad = torch.zeros_like(p)
    probe.step()
    return set(probe.state[p])


def optimizer_differs(saved: Any, opt: torch.optim.Optimizer) -> str | None:
    """What differs between ``saved`` (an optimizer state dict) and ``opt``: the number of
    parameters, or the kind of optimizer (the state it keeps per parameter)."""
    if not (isinstance(saved, Mapping) and isinstance(saved.get("param_groups"), list)
            and isinstance(saved.get("state"), Mapping)):
        return "its optimizer state is not one torch writes"
    counts = [len(g.get("params", [])) for g in saved["param_groups"] if isinstance(g, Mapping)]
    own = [len(g["params"]) for g in opt.param_groups]
    if counts != own:
        return f"its optimizer holds {sum(counts)} parameter tensors, the model has {sum(own)}"
    kept = next((set(s) for s in saved["state"].values() if isinstance(s, Mapping)), None)
    wanted = _state_keys(opt)
    if kept is not None and kept != wanted:
        return (f"its optimizer kept {', '.join(sorted(kept))} per parameter; the run's "
                f"{type(opt).__name__} keeps {', '.join(sorted(wanted))} (another optimizer)")
    return None


# What a run's data info holds that fixes the meaning of the model's input (the sizes of the
# splits may change without changing it).
_DEFINING = ("kind", "classes", "columns", "binarize", "column_mean", "column_std", "codec")


def _first_difference(a: Any, b: Any, where: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            found = _first_difference(a.get(key), b.get(key), f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return next((f for i, (x, y) in enumerate(zip(a, b, strict=True))
                     if (f := _first_difference(x, y, f"{where}[{i}]"))), None)
    return None if a == b else f"{where} is {str(a)[:60]} there, {str(b)[:60]} now"


def data_differs(saved: Any, now: Mapping[str, Any]) -> str | None:
    """What differs between the data info a run stored (config.json's ``data``) and the one its
    data give now (a refitted table codec: a new category, rows added), among the keys that fix
    the meaning of the model's input; keys an older run did not store are not compared."""
    if not isinstance(saved, Mapping):
        return None
    now = json.loads(json.dumps(dict(now)))  # as stored: lists, not tuples
    for key in _DEFINING:
        if key in saved:
            found = _first_difference(saved[key], now.get(key), f"data.{key}")
            if found:
                return found
    return None
