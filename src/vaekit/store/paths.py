"""Where a command may write: never over a file of a run or of the data it reads.

A command names its outputs (:func:`claim_output`, through the CLI's ``--out`` type) and what it
reads (:func:`protect_run` when it opens a run, :func:`protect_input` for a data file or
folder). Whichever comes second refuses the pair: an output named on the command line is refused
when the run or the data is opened, before any work and before any file is touched.

Only paths the user named as outputs are checked, so vaekit's own writes into a run (training,
``eval.json``, a fitted prior) go on as before. The state lives for one CLI invocation
(:func:`begin`, :func:`end`); with none begun (the Python API) nothing is checked.
"""

from __future__ import annotations

import os
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from pathlib import Path

from vaekit.errors import UserError

# The files a run folder is made of (top level), and the folders whose every file is the run's.
RUN_FILES = frozenset({"config.json", "model.safetensors", "model_raw.safetensors", "metrics.csv",
                       "eval.json", "prior.safetensors", "prior.json", "mlflow.json"})
RUN_FOLDERS = frozenset({"checkpoints", "samplers", "scores", "tensorboard"})


class OutputError(UserError):
    """An output aimed at a file the command reads or a file of a run."""


@dataclass
class _Guard:
    # resolved -> (as the user gave it, the run file the command itself writes there, if any)
    outputs: dict[Path, tuple[str, str | None]] = field(default_factory=dict)
    runs: dict[Path, str] = field(default_factory=dict)  # resolved -> as given
    inputs: list[tuple[Path, bool, str]] = field(default_factory=list)  # resolved, folder?, what


_guard: ContextVar[_Guard | None] = ContextVar("vaekit_output_guard", default=None)


def begin() -> Token:
    """Start the bookkeeping of one command; pass the token to :func:`end`."""
    return _guard.set(_Guard())


def end(token: Token) -> None:
    _guard.reset(token)


def _resolve(path: str | Path) -> Path:
    return Path(os.path.abspath(Path(path).expanduser())).resolve()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a == b or os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _conflict(guard: _Guard, target: Path, own: str | None) -> str | None:
    """What ``target`` is, when it is a file of a run (other than ``own``, the run file the
    command exists to write) or of the data being read; else None."""
    for run, given in guard.runs.items():
        inside = target.relative_to(run).parts if target.is_relative_to(run) else ()
        if (len(inside) == 1 and target.name in RUN_FILES - {own}) or \
                (len(inside) > 1 and inside[0] in RUN_FOLDERS):
            return f"a file of the run {given}"
    for source, folder, what in guard.inputs:
        if folder and target.is_relative_to(source):
            return f"inside {what}"
        if not folder and _same_file(target, source):
            return what
    return None


def _check(guard: _Guard) -> None:
    for target, (given, own) in guard.outputs.items():
        what = _conflict(guard, target, own)
        if what is not None:
            raise OutputError(f"--out {given} is {what}; vaekit never writes over it: choose "
                              "another path")


def claim_output(path: str | Path, own: str | None = None) -> None:
    """``path`` is an output the user named (OutputError if it is already known as an input);
    ``own``: the name of the run file that the command writes (``eval.json``), which it may
    replace."""
    guard = _guard.get()
    if guard is not None:
        guard.outputs[_resolve(path)] = (str(path), own)
        _check(guard)


def protect_run(run: str | Path) -> None:
    """The files of the run folder ``run`` (:data:`RUN_FILES`, :data:`RUN_FOLDERS`) are read."""
    guard = _guard.get()
    if guard is not None:
        guard.runs[_resolve(run)] = str(run)
        _check(guard)


def protect_input(path: str | Path, what: str = "") -> None:
    """The data file or folder ``path`` is read; ``what`` says what it is, for the refusal (by
    default: data this command reads)."""
    guard = _guard.get()
    if guard is not None:
        resolved = _resolve(path)
        guard.inputs.append((resolved, resolved.is_dir(), what or f"{path}, data this command reads"))
        _check(guard)

