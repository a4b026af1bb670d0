"""The bad-input campaign as a standing test: every CLI command, driven with generated bad
arguments, damaged run folders and malformed files, exits 0 or 2, never prints a traceback, and
never changes a file that was there before when it refuses.

The commands and their options are read from the CLI itself, so a command added later is
driven too. Each command starts from a cheap valid invocation on a tiny run; Hypothesis then
corrupts one thing: an option's value, the run folder, or a file the command reads.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from campaign_support import COMMANDS, baseline, call, flag_of, options_of, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BAD_NUMBERS = ["-1", "0", "nan", "inf", "-inf", "1e308", "abc", "", "99999999999999999999",
               "0x10", "1.5", " "]
BAD_TEXT = ["", "\x00", "../../etc/passwd", "1,2,x", "-5", "all,", "é" * 300, "{", "zero1"]


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


@st.composite
def _case(draw: st.DrawFn, tmp: Path) -> tuple[str, str, str]:
    """(command, what to corrupt, the corruption)."""
    name = draw(st.sampled_from(sorted(COMMANDS)))
    options = [o for o in options_of(COMMANDS[name]) if not o.is_flag]
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
    argv = baseline(name, run, work)
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
        opt = next(o for o in options_of(COMMANDS[name]) if f"option:{o.name}" == target)
        flag = flag_of(opt)
        if flag in argv:  # replace the baseline's value
            i = argv.index(flag)
            argv[i + 1] = value
        else:
            argv += [flag, value]
    before = {**snapshot(root), **snapshot(work)} if run.is_dir() else snapshot(root)
    code, err = call(argv)
    assert code in (0, 2), (argv, code, err[-2000:])
    assert "Traceback" not in err, (argv, err[-2000:])
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        after = {**snapshot(root), **snapshot(work)} if run.is_dir() else snapshot(root)
        changed = [k for k in before if after.get(k) != before[k]]
        assert not changed, (argv, changed)
