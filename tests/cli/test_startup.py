"""Commands that need no model import no torch: `vaekit --help`, `--version`, every command's
`--help` and `validate`, each checked in a fresh interpreter (behaviour, not timing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import vaekit

ROOT = Path(__file__).resolve().parents[2]
SRC = str(Path(vaekit.__file__).resolve().parents[1])
HEAVY = ["torch", "numpy", "matplotlib", "sklearn", "scipy", "pandas", "fastapi", "uvicorn", "PIL"]

# Runs each command through the real entry point in one interpreter and reports, after each,
# its exit status, its stderr and which heavy packages are imported by then.
WALK = r"""
import contextlib, glob, io, json, sys
from vaekit.cli.main import _register_commands, cli, main

def call(*argv):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            main(list(argv))
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
    heavy = [m for m in sys.argv[2:] if m in sys.modules]
    return {"argv": " ".join(argv), "code": code, "err": err.getvalue(), "heavy": heavy}

config = sys.argv[1]
_register_commands()
calls = [call("--help"), call("--version"), *[call(n, "--help") for n in sorted(cli.commands)],
         call("validate", config),
         call("validate", "configs/fashion_mnist_conv.yaml", "--set", "model.channels=[8]",
              "--set", "model.latent=vector_quantized", "--set", "model.latent_args.code_dim=4",
              "--set", "model.likelihood=gaussian", "--set", "model.likelihood_args={sigma: 0.5}",
              "--set", "model.prior=vamp"),
         call("validate", config, "--set", "model.arch=conv"),
         call("validate", config, "--set", "model.likelihood_args.sgima=1"),
         call("validate", config, "--set", "objective.beta=-1"),
         *[call("validate", shipped) for shipped in sorted(glob.glob("configs/*.yaml"))]]
print(json.dumps({"calls": calls, "commands": sorted(cli.commands)}))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}


def test_commands_without_a_model_import_no_torch():
    proc = subprocess.run([sys.executable, "-c", WALK, "configs/digits_mlp.yaml", *HEAVY],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    calls = {c["argv"]: c for c in report["calls"]}
    assert {"train --help", "validate --help", "serve --help", "sample --help"} <= set(calls)
    assert len(report["commands"]) >= 15  # every command file was read
    assert [(a, c["heavy"]) for a, c in calls.items() if c["heavy"]] == []
    # Every shipped config validates, those setting objective options (iwae.yaml) too.
    assert {"validate configs/iwae.yaml", "validate configs/table.yaml"} <= set(calls)
    assert [a for a, c in calls.items() if c["code"] and "sgima" not in a and "=-1" not in a
            and not a.endswith("arch=conv")] == []
    # An option of a component the config does not use is refused, never dropped.
    bad = calls["validate configs/digits_mlp.yaml --set model.arch=conv"]
    assert bad["code"] == 2 and "model.hidden: an option of arch mlp, not of the chosen arch conv" \
        in bad["err"]
    bad = calls["validate configs/digits_mlp.yaml --set model.likelihood_args.sgima=1"]
    assert bad["code"] == 2 and "has no option sgima" in bad["err"]
    # Option values are checked from the declared types, still without torch.
    bad = calls["validate configs/digits_mlp.yaml --set objective.beta=-1"]
    assert bad["code"] == 2 and "beta should be greater than or equal to 0, got -1" in bad["err"]


def test_module_entry_point_keeps_one_line_errors_and_stays_light():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "vaekit", "validate",
                           "missing.yaml"], cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=120)
    lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("import time:")]
    imported = {ln.rsplit("|", 1)[-1].strip() for ln in proc.stderr.splitlines()
                if ln.startswith("import time:")}
    assert proc.returncode == 2 and lines == ["error: config file missing.yaml not found"]
    assert imported and not imported & set(HEAVY)
