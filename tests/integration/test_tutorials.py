"""The tutorials run: each page's commands come from a script in docs/tutorials/, and this test
runs every script (and the README's Python tour) on tiny settings, so a tutorial cannot go stale.
Its ``vaekit`` commands run in this process, one after another as the script has them (a process
each would spend most of the test importing torch); the rest of the script runs in bash."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ROOT / "docs" / "tutorials"
# What each script must leave behind when it succeeds.
OUTPUTS = {
    "first-vae.sh": ["runs/quickstart/eval.json", "samples.png", "interp.png", "traversal.png"],
    "images.sh": ["runs/images/eval.json", "samples.png", "scores.csv"],
    "tables.sh": ["runs/people/eval.json", "rows.csv", "adults.csv", "errors.png", "scores.csv",
                  "filled.csv"],
    "vae-math.sh": ["runs/hvae/eval.json", "manifold.png", "slerp.png", "threes.png", "vq_samples.png",
                    "runs/freebits/model.safetensors"],
}


def tiny(script: str) -> str:
    """The script with one epoch per training and a handful of importance samples."""
    script = re.sub(r"--epochs \d+", "--epochs 1", script)
    return re.sub(r"--k \d+", "--k 5", script)


def _env() -> dict[str, str]:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def steps(script: str) -> list[tuple[str, object]]:
    """The script as steps in order: ("vaekit", its arguments) for each vaekit command, ("bash",
    text) for the lines between them (a heredoc, a loop); comment-only text is dropped."""
    out: list[tuple[str, object]] = []
    shell: list[str] = []

    def flush() -> None:
        if any(ln.strip() and not ln.lstrip().startswith("#") for ln in shell):
            out.append(("bash", "\n".join(shell) + "\n"))
        shell.clear()

    for line in script.replace("\\\n", " ").splitlines():
        if line.startswith("vaekit "):
            flush()
            out.append(("vaekit", shlex.split(line, comments=True)[1:]))
        else:
            shell.append(line)
    flush()
    return out


def test_the_tiny_form_keeps_every_command():
    script = "vaekit train --epochs 30 --out r\nvaekit evaluate r --k 1000\n"
    assert tiny(script) == "vaekit train --epochs 1 --out r\nvaekit evaluate r --k 5\n"


def test_a_script_is_split_into_its_commands_and_the_shell_between_them():
    script = ("# a comment\npython - <<'PY'\nprint(1)\nPY\n"
              "vaekit rows r --given 'a<1' \\\n    --out x.csv  # rows\n")
    assert steps(script) == [("bash", "# a comment\npython - <<'PY'\nprint(1)\nPY\n"),
                             ("vaekit", ["rows", "r", "--given", "a<1", "--out", "x.csv"])]


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_tutorial_script_runs(name, tmp_path, monkeypatch, capsys, one_thread):
    from vaekit.cli.main import main

    (tmp_path / "configs").symlink_to(ROOT / "configs")
    monkeypatch.chdir(tmp_path)
    for kind, step in steps(tiny((TUTORIALS / name).read_text())):
        if kind == "bash":
            _run(["bash", "-e", "-c", str(step)], tmp_path)
            continue
        with pytest.raises(SystemExit) as done:
            main(list(step))  # type: ignore[call-overload]
            raise SystemExit(0)
        assert (done.value.code or 0) == 0, (step, capsys.readouterr().err[-3000:])
    missing = [p for p in OUTPUTS[name] if not (tmp_path / p).is_file()]
    assert not missing, f"{name} left no {missing}"


def test_every_tutorial_script_is_checked():
    assert sorted(p.name for p in TUTORIALS.glob("*.sh")) == sorted(OUTPUTS)


def test_the_worked_kl_example(tmp_path):
    """The math tutorial's closed-form KL of N(0.5, 0.8^2) from N(0, 1): 0.1681 nats."""
    done = _run([sys.executable, str(TUTORIALS / "kl_example.py")], tmp_path)
    closed, monte_carlo = (float(v) for v in re.findall(r"\d+\.\d+", done.stdout)[:2])
    assert round(closed, 4) == 0.1681
    assert abs(monte_carlo - closed) < 0.01


def test_readme_python_tour_runs(tmp_path):
    text = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "tour.py").write_text(code.replace('"epochs": 10', '"epochs": 1'))
    _run([sys.executable, "tour.py"], tmp_path)
    assert (tmp_path / "runs" / "api" / "model.safetensors").is_file()
