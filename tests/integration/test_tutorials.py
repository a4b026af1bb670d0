"""The tutorials run: each page's commands come from a script in docs/tutorials/, and this test
runs every script (and the README's Python tour) on tiny settings, so a tutorial cannot go stale."""

from __future__ import annotations

import os
import re
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


def test_the_tiny_form_keeps_every_command():
    script = "vaekit train --epochs 30 --out r\nvaekit evaluate r --k 1000\n"
    assert tiny(script) == "vaekit train --epochs 1 --out r\nvaekit evaluate r --k 5\n"


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_tutorial_script_runs(name, tmp_path):
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    (tmp_path / name).write_text(tiny((TUTORIALS / name).read_text()))
    _run(["bash", "-e", name], tmp_path)
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
