"""`vaekit sample --label/--sampler` and reconstruct on a CVAE and an AE; bad --label -> exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_support import run_cli
from PIL import Image

from vaekit.cli.main import main

TINY = ["--set", "model.hidden=[16]", "--set", "model.latent_dim=2", "--epochs", "1",
        "--no-progress"]


def one_line_error(code: int, err: str, needle: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], err


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("variant_runs")
    out = {}
    for variant in ("cvae", "ae"):
        out[variant] = root / variant
        with pytest.raises(SystemExit) as exc:
            main(["train", "--set", f"model.variant={variant}", *TINY, "--out", str(out[variant])])
            raise SystemExit(0)
        assert not exc.value.code
    return out


def test_cvae_samples_one_label_or_one_row_per_class(capsys, runs, tmp_path):
    code, _, err = run_cli(capsys, "sample", str(runs["cvae"]), "--label", "3", "-n", "4",
                           "--out", str(tmp_path / "three.png"))
    assert code == 0, err
    code, _, err = run_cli(capsys, "sample", str(runs["cvae"]), "-n", "20",
                           "--out", str(tmp_path / "all.png"))
    assert code == 0, err
    assert Image.open(tmp_path / "all.png").size == (2 * 33 + 1, 10 * 33 + 1)  # 10 rows x 2
    code, _, err = run_cli(capsys, "reconstruct", str(runs["cvae"]), "-n", "4",
                           "--out", str(tmp_path / "r.png"))
    assert code == 0, err


@pytest.mark.parametrize(("label", "needle"), [("10", "out of range"), ("-1", "out of range"),
                                               ("cat", "class number")])
def test_bad_label_is_one_line_and_exit_2(capsys, runs, tmp_path, label, needle):
    code, _, err = run_cli(capsys, "sample", str(runs["cvae"]), "--label", label,
                           "--out", str(tmp_path / "x.png"))
    one_line_error(code, err, needle)
    assert not (tmp_path / "x.png").exists()


def test_label_on_an_unconditional_model_is_one_line_and_exit_2(capsys, tiny_run, tmp_path):
    code, _, err = run_cli(capsys, "sample", str(tiny_run), "--label", "3",
                           "--out", str(tmp_path / "x.png"))
    one_line_error(code, err, "not conditional")


def test_ae_samples_through_a_saved_gmm(capsys, runs, tmp_path):
    run = tmp_path / "ae"
    shutil.copytree(runs["ae"], run)
    for name in ("a.png", "b.png"):
        code, _, err = run_cli(capsys, "sample", str(run), "-n", "9", "--out", str(tmp_path / name))
        assert code == 0, err
    assert (run / "samplers/gmm.safetensors").exists()
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    code, _, err = run_cli(capsys, "sample", str(run), "--sampler", "gmm", "--components", "2",
                           "--out", str(tmp_path / "c.png"))
    assert code == 0, err
