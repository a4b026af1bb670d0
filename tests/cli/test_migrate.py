"""`vaekit migrate`: a 0.1 config in the current form, to stdout or a new file, the input
untouched; a refusal is one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from cli_support import assert_one_line_error, run_cli

from vaekit.config.load import load_config

OLD = Path(__file__).resolve().parents[1] / "data" / "runs_0.1"


def _old_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(json.loads((OLD / "conv" / "config.json").read_text())["config"]))
    return path


def test_migrate_writes_a_config_that_loads_and_names_each_dropped_key(capsys, tmp_path):
    src = _old_yaml(tmp_path)
    before = src.read_bytes()
    code, out, err = run_cli(capsys, "migrate", str(src))
    assert code == 0, err
    assert "dropped model.hidden: not an option of arch conv" in err.splitlines()
    cfg = load_config(base=yaml.safe_load(out))
    assert cfg.model.arch == "conv" and cfg.model.arch_args == {"channels": [4, 8]}
    code, _, err = run_cli(capsys, "migrate", str(src), "--out", str(tmp_path / "new.yaml"))
    assert code == 0 and yaml.safe_load((tmp_path / "new.yaml").read_text()) == yaml.safe_load(out)
    assert src.read_bytes() == before


def test_migrate_reads_a_run_folder(capsys, tmp_path):
    run = tmp_path / "vq"
    shutil.copytree(OLD / "vq", run)
    code, out, err = run_cli(capsys, "migrate", str(run))
    assert code == 0, err
    assert load_config(base=yaml.safe_load(out)).objective.args == {"commitment": 0.25}


def test_migrate_never_writes_over_a_file(capsys, tmp_path):
    src = _old_yaml(tmp_path)
    before = src.read_bytes()
    code, out, err = run_cli(capsys, "migrate", str(src), "--out", str(src))
    assert_one_line_error(code, err, "exists")
    assert src.read_bytes() == before and out == ""


def test_migrate_refuses_a_config_still_invalid_once_converted(capsys, tmp_path):
    src = tmp_path / "bad.yaml"
    src.write_text("model: {arch: conv, hidden: [4], latent_dim: -1}\n")
    code, _, err = run_cli(capsys, "migrate", str(src), "--out", str(tmp_path / "new.yaml"))
    assert_one_line_error(code, err, "still invalid", "latent_dim")
    assert not (tmp_path / "new.yaml").exists()
