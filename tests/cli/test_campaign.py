"""The bad-input campaign as a standing test: every CLI command, driven with generated bad
arguments, damaged run folders and malformed files, exits 0 or 2, never prints a traceback, and
never changes a file that was there before when it refuses.

The commands and their options are read from the CLI itself, so a command added later is
driven too. Each command starts from a cheap valid invocation on a tiny run; Hypothesis then
corrupts one thing: an option's value, the run folder, or a file the command reads.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaekit.cli.main import _register_commands, cli, main

# Commands that start a long-lived process or train from scratch by design; their bad-input
# paths are covered by their own tests (serve, quickstart).
SKIP = {"serve", "quickstart"}
# Cheap valid values for options that would otherwise make a valid call slow.
CHEAP = {"k": "2", "n": "4", "epochs": "1", "steps": "3", "max_points": "50", "pairs": "1",
         "batch_size": "64", "width": "16", "depth": "1", "heads": "2", "map_points": "20"}
BAD_NUMBERS = ["-1", "0", "nan", "inf", "-inf", "1e308", "abc", "", "99999999999999999999",
               "0x10", "1.5", " "]
BAD_TEXT = ["", "\x00", "../../etc/passwd", "1,2,x", "-5", "all,", "é" * 300, "{", "zero1"]


def _commands() -> dict[str, click.Command]:
    _register_commands()
    return {name: cmd for name, cmd in cli.commands.items() if name not in SKIP}


COMMANDS = _commands()


def _options(cmd: click.Command) -> list[click.Option]:
    return [p for p in cmd.params if isinstance(p, click.Option) and p.name != "help"]


def _flag(opt: click.Option) -> str:
    return max(opt.opts, key=len)


def _baseline(name: str, run: Path, tmp: Path) -> list[str]:
    """A valid, cheap call of ``name`` on ``run`` writing into ``tmp``."""
    cmd = COMMANDS[name]
    argv = [name]
    if any(isinstance(p, click.Argument) for p in cmd.params):
        argv.append(str(run) if name != "validate" else str(tmp / "ok.yaml"))
    for opt in _options(cmd):
        if opt.name == "out":
            argv += [_flag(opt), str(tmp / ("new-run" if name == "train" else "out.bin"))]
        elif opt.name in CHEAP and not opt.is_flag:
            argv += [_flag(opt), CHEAP[opt.name]]
    if name == "train":
        argv += ["--set", "model.hidden=[8]", "--set", "model.latent_dim=2", "--no-progress"]
    return argv


def _bad_values(opt: click.Option, tmp: Path) -> st.SearchStrategy[str]:
    kind = opt.type
    if isinstance(kind, click.Choice):
        return st.sampled_from(["bogus", "", "TEST", "1"])
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return st.sampled_from(BAD_NUMBERS)
    if isinstance(kind, click.Path):
        return st.sampled_from([str(tmp), str(tmp / "missing" / "x.png"), str(tmp / "afile" / "x"),
                                str(tmp / "binary.yaml"), str(tmp / "latin1.yaml"), ""])
    return st.sampled_from(BAD_TEXT + BAD_NUMBERS)


def _damage(run: Path, how: str) -> None:
    """Damage a copy of a run folder in one of the ways a disk, a user or a kill can."""
    if how == "config-not-json":
        (run / "config.json").write_bytes(b"\xff\xfe not json")
    elif how == "config-missing-keys":
        (run / "config.json").write_text(json.dumps({"config": {}}))
    elif how == "config-newer-vaekit":
        raw = json.loads((run / "config.json").read_text())
        raw["vaekit_version"] = "99.0.0"
        raw["config"]["model"]["brand_new_key"] = 1
        (run / "config.json").write_text(json.dumps(raw))
    elif how == "weights-truncated":
        data = (run / "model.safetensors").read_bytes()
        (run / "model.safetensors").write_bytes(data[: len(data) // 2])
    elif how == "weights-nan":
        import torch
        from safetensors.torch import load_file, save_file

        state = load_file(str(run / "model.safetensors"))
        save_file({k: torch.full_like(v, float("nan")) if v.is_floating_point() else v
                   for k, v in state.items()}, str(run / "model.safetensors"))
    elif how == "metrics-damaged":
        (run / "metrics.csv").write_text("epoch,test_loss\nx,y,z\n\x00")
    elif how == "eval-damaged":
        (run / "eval.json").write_text("{NaN")
    elif how == "prior-json-damaged":
        (run / "prior.json").write_text('{"prior": "code_transformer", "config": 3}')
    elif how == "folder-is-file":
        shutil.rmtree(run)
        run.write_text("not a folder")
    elif how == "empty-folder":
        shutil.rmtree(run)
        run.mkdir()


DAMAGE = ["config-not-json", "config-missing-keys", "config-newer-vaekit", "weights-truncated",
          "weights-nan", "metrics-damaged", "eval-damaged", "prior-json-damaged", "folder-is-file",
          "empty-folder"]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _call(argv: list[str], stdout: io.StringIO | None = None) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(stdout or io.StringIO()):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, err.getvalue()


@st.composite
def _case(draw: st.DrawFn, tmp: Path) -> tuple[str, str, str]:
    """(command, what to corrupt, the corruption)."""
    name = draw(st.sampled_from(sorted(COMMANDS)))
    options = [o for o in _options(COMMANDS[name]) if not o.is_flag]
    takes_run = any(isinstance(p, click.Argument) for p in COMMANDS[name].params) and \
        name != "validate"
    targets = [f"option:{o.name}" for o in options] + (["run"] if takes_run else []) + \
        (["config"] if name in ("train", "validate") else [])
    target = draw(st.sampled_from(targets))
    if target == "run":
        return name, target, draw(st.sampled_from(DAMAGE))
    if target == "config":
        return name, target, draw(st.sampled_from(["binary", "latin1", "folder", "list", "nested",
                                                   "huge-number", "negative-sizes"]))
    opt = next(o for o in options if f"option:{o.name}" == target)
    return name, target, draw(_bad_values(opt, tmp))


CONFIGS = {
    "list": "- 1\n- 2\n", "nested": "model: {hidden: {a: 1}}\n", "huge-number":
    "train: {epochs: 1e400}\n", "negative-sizes": "model: {hidden: [-4, 0], latent_dim: -2}\n",
}


@pytest.fixture(scope="module")
def arena(tiny_run, tmp_path_factory):
    root = tmp_path_factory.mktemp("campaign")
    (root / "afile").write_text("a file, not a folder")
    (root / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (root / "latin1.yaml").write_bytes("model: {hidden: [é]}\n".encode("latin-1"))
    (root / "ok.yaml").write_text("train: {epochs: 1}\n")
    (root / "mine.txt").write_text("the user's own file")
    return root, tiny_run


@settings(max_examples=90, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_command_answers_bad_input_with_one_line(arena, data, tmp_path_factory):
    root, tiny = arena
    work = tmp_path_factory.mktemp("case")
    run = work / "run"
    shutil.copytree(tiny, run)
    name, target, value = data.draw(_case(root))
    argv = _baseline(name, run, work)
    if target == "run":
        _damage(run, value)
    elif target == "config":
        cfg = work / "cfg.yaml"
        if value == "binary":
            cfg.write_bytes(bytes(range(256)))
        elif value == "latin1":
            cfg.write_bytes("train: {epochs: é}\n".encode("latin-1"))
        elif value == "folder":
            cfg.mkdir()
        else:
            cfg.write_text(CONFIGS[value])
        if name == "validate":
            argv[1] = str(cfg)
        else:
            argv += ["--config", str(cfg)]
    else:
        opt = next(o for o in _options(COMMANDS[name]) if f"option:{o.name}" == target)
        flag = _flag(opt)
        if flag in argv:  # replace the baseline's value
            i = argv.index(flag)
            argv[i + 1] = value
        else:
            argv += [flag, value]
    before = {**_snapshot(root), **_snapshot(work)} if run.is_dir() else _snapshot(root)
    code, err = _call(argv)
    assert code in (0, 2), (argv, code, err[-2000:])
    assert "Traceback" not in err, (argv, err[-2000:])
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        after = {**_snapshot(root), **_snapshot(work)} if run.is_dir() else _snapshot(root)
        changed = [k for k in before if after.get(k) != before[k]]
        assert not changed, (argv, changed)


# Outputs aimed at what a command reads: a file of the run, or the data file given to --data.
WRITERS = sorted(n for n, c in COMMANDS.items() if n != "train" and
                 any(o.name == "out" for o in _options(c)))


def test_every_out_option_is_an_output_path():
    """A command that writes a file names it through the one guarded type (train writes a new
    run folder, checked on its own)."""
    from vaekit.cli.options import OutputPath

    plain = [n for n in WRITERS if not isinstance(
        next(o for o in _options(COMMANDS[n]) if o.name == "out").type, OutputPath)]
    assert WRITERS and not plain


@st.composite
def _aimed_output(draw: st.DrawFn, run: Path) -> tuple[str, str]:
    """(command, what its --out hits): a file of the run (``run:NAME``) or its --data file."""
    name = draw(st.sampled_from(WRITERS))
    own = {"report.html", "eval.json"} if name == "evaluate" else {"report.html"}
    files = sorted(str(p.relative_to(run)) for p in run.rglob("*") if p.is_file()
                   and p.name not in own)
    reads = any(o.name == "source" for o in _options(COMMANDS[name]))
    return name, draw(st.sampled_from([f"run:{f}" for f in files] + (["data"] if reads else [])))


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_output_lands_on_a_file_the_command_reads(tiny_run, data, tmp_path_factory):
    import numpy as np

    from vaekit.artifacts.run_context import RunContext

    work = tmp_path_factory.mktemp("aimed")
    run = work / "run"
    shutil.copytree(tiny_run, run)
    name, target = data.draw(_aimed_output(run))
    source = work / "examples.npy"
    np.save(source, RunContext.open(run).split("test").stored[:8].numpy())
    argv = [a for a in _baseline(name, run, work)]
    out = str(source) if target == "data" else str(run / target.removeprefix("run:"))
    argv[argv.index("--out") + 1] = out
    if any(o.name == "source" for o in _options(COMMANDS[name])):
        argv += ["--data", str(source)]
    before = _snapshot(work)
    code, err = _call(argv)
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert code == 2 and len(lines) == 1, (argv, code, err[-2000:])
    changed = [k for k, v in before.items() if _snapshot(work).get(k) != v]
    assert not changed, (argv, changed)


# Extreme and non-finite values: in a cell of a table, or in the run's stored column scales.
EXTREME = ["1e200", "1e308", "-1e308", "1e30", "1e16", "1e14", "inf", "nan", "-1e-320"]
TINY_TABLE = ["--set", "model.hidden=[8]", "--set", "model.latent_dim=2", "--set",
              "model.likelihood=columns", "--epochs", "1", "--no-progress"]


def _people(path: Path, n: int = 120, cell: tuple[int, str, str] | None = None) -> Path:
    import numpy as np

    rng = np.random.default_rng(0)
    rows = [["height", "age", "color"]] + [[f"{rng.normal(170, 8):.2f}", str(rng.integers(18, 80)),
                                             str(rng.choice(["red", "green", "blue"]))]
                                            for _ in range(n)]
    if cell is not None:
        row, column, value = cell
        rows[1 + row][rows[0].index(column)] = value
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    return path


@pytest.fixture(scope="module")
def table_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("extreme")
    code, err = _call(["train", "--data", str(_people(root / "people.csv")), "--out",
                       str(root / "run"), *TINY_TABLE])
    assert code == 0, err
    return root / "run"


def _numbers_in(path: Path) -> list[float]:
    import numpy as np
    import pandas as pd

    if path.suffix == ".npz":
        with np.load(path) as z:
            return [float(v) for k in z.files if z[k].dtype.kind == "f" for v in z[k].ravel()]
    frame = pd.read_csv(path)
    return [float(v) for c in frame.select_dtypes("number") for v in frame[c]]


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=st.sampled_from(["encode", "score", "impute", "train", "rows"]),
       value=st.sampled_from(EXTREME), column=st.sampled_from(["height", "age"]),
       row=st.integers(0, 119))
def test_no_command_writes_or_prints_a_non_finite_number(table_run, tmp_path_factory, command,
                                                         value, column, row):
    import math

    work = tmp_path_factory.mktemp("extreme-case")
    data = _people(work / "data.csv", cell=(row, column, value))
    run = work / "run"
    shutil.copytree(table_run, run)
    out = work / ("out.npz" if command == "encode" else "out.csv")
    if command == "train":
        argv = ["train", "--data", str(data), "--out", str(work / "new"), *TINY_TABLE]
    elif command == "rows":  # the run's stored scale of a column: as large as a float goes
        raw = json.loads((run / "config.json").read_text())
        spec = next(c for c in raw["data"]["codec"]["columns"] if c["name"] == column)
        spec["stds"] = [float(value)] * len(spec["stds"])
        (run / "config.json").write_text(json.dumps(raw))
        argv = ["rows", str(run), "-n", "20", "--out", str(out)]
    else:
        argv = [command, str(run), "--data", str(data), "--out", str(out)] + \
            (["--k", "2"] if command == "score" else [])
    stdout = io.StringIO()
    code, err = _call(argv, stdout)
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert code in (0, 2) and "Traceback" not in err, (argv, code, err[-2000:])
    if code == 2:
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
    else:
        assert not any(w in stdout.getvalue().split() for w in ("nan", "inf", "-inf")), argv
        if out.exists():
            assert all(math.isfinite(v) for v in _numbers_in(out)), argv
