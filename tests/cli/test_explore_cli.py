"""Picture commands on tiny runs: PNGs of the expected pixel size (grey and RGB), bad input -> exit 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_support import assert_one_line_error, run_cli
from PIL import Image

from vaekit.config.load import load_config
from vaekit.viz.traversal import traversal_size

CELL = 33  # 8x8 digits upscaled x4, and 16x16 RGB upscaled x2, plus a 1-pixel gap


def _train(out: Path, *overrides: str) -> Path:
    from vaekit.training.trainer import train

    cfg = load_config(overrides=["model.hidden=[16]", "train.epochs=1", "train.batch_size=128",
                                 *overrides])
    train(cfg, out, progress=False)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Tiny runs: digits with a 2-D latent, and random RGB 3x16x16 images."""
    root = tmp_path_factory.mktemp("explore")
    rng = np.random.default_rng(0)
    np.savez(root / "rgb.npz", x=rng.integers(0, 256, (60, 3, 16, 16), dtype=np.uint8))
    return {
        "digits2d": _train(root / "digits2d", "model.latent_dim=2"),
        "rgb": _train(root / "rgb", "data.name=arrays", f"data.path={root / 'rgb.npz'}",
                      "model.likelihood=gaussian", "model.latent_dim=2"),
    }


def _png(capsys, tmp_path: Path, *args: str) -> Image.Image:
    out = tmp_path / f"{args[0]}.png"
    code, stdout, err = run_cli(capsys, *args, "--out", str(out))
    assert code == 0, err
    assert f"wrote {out}" in stdout
    return Image.open(out)


def test_every_picture_command_on_a_grey_run(capsys, tiny_run, runs, tmp_path):
    run = str(tiny_run)  # digits, 4-D latent
    img = _png(capsys, tmp_path, "interpolate", run, "--pairs", "3", "--steps", "5")
    assert img.mode == "L" and img.size == (7 * CELL + 1, 3 * CELL + 1)
    img = _png(capsys, tmp_path, "interpolate", run, "--from", "0", "--to", "5", "--slerp")
    assert img.size == (12 * CELL + 1, CELL + 1)
    assert _png(capsys, tmp_path, "traverse", run).size == traversal_size(4, 9, 8, 8, 4)
    img = _png(capsys, tmp_path, "traverse", run, "--dims", "3,1", "--steps", "5", "--base", "2")
    assert img.size == traversal_size(2, 5, 8, 8, 4)
    assert _png(capsys, tmp_path, "latent-map", run).size == (720, 600)
    assert _png(capsys, tmp_path, "latent-map", run, "--method", "tsne",
                "--max-points", "60").size == (720, 600)
    assert _png(capsys, tmp_path, "curves", run).size == (900, 600)
    img = _png(capsys, tmp_path, "manifold", str(runs["digits2d"]), "-n", "5")
    assert img.mode == "L" and img.size == (5 * 32, 5 * 32)


def test_every_picture_command_on_an_rgb_run(capsys, runs, tmp_path):
    run = str(runs["rgb"])  # 3x16x16, gaussian likelihood (means clipped for display), 2-D latent
    img = _png(capsys, tmp_path, "sample", run, "-n", "10")
    assert img.mode == "RGB" and img.size == (4 * CELL + 1, 3 * CELL + 1)
    img = _png(capsys, tmp_path, "reconstruct", run, "-n", "8")
    assert img.mode == "RGB" and img.size == (8 * CELL + 1, 2 * CELL + 1)
    img = _png(capsys, tmp_path, "interpolate", run, "--pairs", "2", "--steps", "4")
    assert img.mode == "RGB" and img.size == (6 * CELL + 1, 2 * CELL + 1)
    assert _png(capsys, tmp_path, "traverse", run, "--steps", "5").size == \
        traversal_size(2, 5, 16, 16, 2)
    img = _png(capsys, tmp_path, "manifold", run, "-n", "4")
    assert img.mode == "RGB" and img.size == (4 * 32, 4 * 32)
    assert _png(capsys, tmp_path, "latent-map", run).size == (720, 600)


BAD = {
    "manifold of a 4-D latent": (["manifold", "{tiny}"], "2-D latent"),
    "--from out of range": (["interpolate", "{tiny}", "--from", "100000", "--to", "0"],
                            "--from 100000"),
    "--to out of range": (["interpolate", "{tiny}", "--from", "0", "--to", "-1000"],
                          "'--to': -1000 is not in the range x>=0"),
    "--from without --to": (["interpolate", "{tiny}", "--from", "0"], "--from and --to"),
    "dimension out of range": (["traverse", "{tiny}", "--dims", "0,7"], "--dims 7"),
    "dimension not a number": (["traverse", "{tiny}", "--dims", "x"], "--dims"),
    "base out of range": (["traverse", "{tiny}", "--base", "99999"], "--base 99999"),
    "unknown map method": (["latent-map", "{tiny}", "--method", "umap"], "umap"),
    "rows of an image run": (["rows", "{tiny}"], "tabular"),
    "column errors of an image run": (["column-errors", "{tiny}"], "tabular"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_exit_2(case, capsys, tiny_run, tmp_path):
    args, needle = BAD[case]
    out = tmp_path / "x.png"
    code, _, err = run_cli(capsys, *[a.format(tiny=tiny_run) for a in args], "--out", str(out))
    assert_one_line_error(code, err, needle)
    assert not out.exists()


@pytest.mark.parametrize("cmd", ["interpolate", "traverse", "latent-map", "manifold", "curves",
                                 "report", "rows", "column-errors"])
def test_no_such_run(cmd, capsys, tmp_path):
    code, _, err = run_cli(capsys, cmd, str(tmp_path / "nowhere"))
    assert_one_line_error(code, err, "nowhere")
