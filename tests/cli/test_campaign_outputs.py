"""Campaign, outputs: no --out of any command lands on a file of the run it opens or on the data
it reads (the run's weights, checkpoints, metrics, config; a --data file). Each is refused with
one line and exit 2, and no file changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from campaign_support import COMMANDS, baseline, call, options_of, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Outputs aimed at what a command reads: a file of the run, or the data file given to --data.
WRITERS = sorted(n for n, c in COMMANDS.items() if n != "train" and
                 any(o.name == "out" for o in options_of(c)))


def test_every_out_option_is_an_output_path():
    """A command that writes a file names it through the one guarded type (train writes a new
    run folder, checked on its own)."""
    from vaekit.cli.options import OutputPath

    plain = [n for n in WRITERS if not isinstance(
        next(o for o in options_of(COMMANDS[n]) if o.name == "out").type, OutputPath)]
    assert WRITERS and not plain


@st.composite
def _aimed_output(draw: st.DrawFn, run: Path) -> tuple[str, str]:
    """(command, what its --out hits): a file of the run (``run:NAME``) or its --data file."""
    name = draw(st.sampled_from(WRITERS))
    own = {"report.html", "eval.json"} if name == "evaluate" else {"report.html"}
    files = sorted(str(p.relative_to(run)) for p in run.rglob("*") if p.is_file()
                   and p.name not in own)
    reads = any(o.name == "source" for o in options_of(COMMANDS[name]))
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
    argv = [a for a in baseline(name, run, work)]
    out = str(source) if target == "data" else str(run / target.removeprefix("run:"))
    argv[argv.index("--out") + 1] = out
    if any(o.name == "source" for o in options_of(COMMANDS[name])):
        argv += ["--data", str(source)]
    before = snapshot(work)
    code, err = call(argv)
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert code == 2 and len(lines) == 1, (argv, code, err[-2000:])
    changed = [k for k, v in before.items() if snapshot(work).get(k) != v]
    assert not changed, (argv, changed)
