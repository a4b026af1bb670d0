"""``vaekit evaluate --shard I/N --workers W``: per-image bounds that add up to the unsharded
evaluation image by image, resume block by block, and never overwrite what vaekit did not write."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from cli_support import assert_one_line_error, run_cli

from vaekit.artifacts.run_context import RunContext
from vaekit.eval.per_example import example_terms
from vaekit.store.iw_bounds import paired


@pytest.fixture
def run_copy(tiny_run, tmp_path) -> Path:
    dst = tmp_path / "run"
    shutil.copytree(tiny_run, dst)
    return dst


def _per_image(folder: Path, name: str = "nll") -> torch.Tensor:
    records = sorted((json.loads(p.read_text()) for p in folder.glob("*.json")),
                     key=lambda r: r["first"])
    return torch.tensor([v for r in records for v in r[name]], dtype=torch.float64)


def test_shards_add_up_to_the_unsharded_evaluation_image_by_image(capsys, run_copy, one_thread):
    args = ("evaluate", str(run_copy), "--k", "3", "--batch-size", "50")
    for shard in ("1/2", "0/2"):  # in any order, as on two machines
        code, _, err = run_cli(capsys, *args, "--shard", shard)
        assert code == 0, err
    folder = run_copy / "iw-k3-seed0"
    assert len(list(folder.glob("*.json"))) == 8  # 359 images in blocks of 50
    ctx = RunContext.open(run_copy)
    data = ctx.eval_data("test")
    whole = example_terms(ctx.model, data, 3, 50, seed=0)  # the unsharded pass, per example
    assert torch.equal(_per_image(folder), whole.nll)
    assert torch.equal(_per_image(folder, "elbo"), whole.elbo)
    summary = json.loads((run_copy / "iw-k3-seed0.json").read_text())
    assert summary["n"] == summary["of"] == 359
    code, _, err = run_cli(capsys, *args)  # the whole evaluation: eval.json
    assert code == 0, err
    ev = json.loads((run_copy / "eval.json").read_text())
    assert ev["nll"] == pytest.approx(summary["nll"], abs=1e-9)
    assert ev["elbo"] == pytest.approx(summary["elbo"], abs=1e-9)
    # Another seed draws otherwise.
    assert not torch.equal(example_terms(ctx.model, data, 3, 50, seed=1).nll, whole.nll)


def test_a_rerun_computes_only_the_missing_blocks(capsys, run_copy, one_thread):
    args = ("evaluate", str(run_copy), "--k", "2", "--batch-size", "100", "--shard", "0/1")
    code, _, err = run_cli(capsys, *args)
    assert code == 0, err
    folder = run_copy / "iw-k2-seed0"
    files = sorted(folder.glob("*.json"))
    before = {f.name: (f.stat().st_mtime_ns, f.read_text()) for f in files}
    files[1].unlink()
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "1 to compute" in out
    after = {f.name: (f.stat().st_mtime_ns, f.read_text()) for f in sorted(folder.glob("*.json"))}
    assert {n: v for n, v in after.items() if n != files[1].name} == \
        {n: v for n, v in before.items() if n != files[1].name}
    assert json.loads(after[files[1].name][1])["nll"] == json.loads(before[files[1].name][1])["nll"]


def test_workers_draw_what_one_process_draws(capsys, run_copy):
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--k", "2", "--seed", "5",
                           "--workers", "2")
    assert code == 0, err
    ctx = RunContext.open(run_copy)
    whole = example_terms(ctx.model, ctx.eval_data("test"), 2, 100, seed=5)
    assert torch.equal(_per_image(run_copy / "iw-k2-seed5"), whole.nll)


def test_files_vaekit_did_not_write_are_refused_and_kept(capsys, run_copy):
    folder = run_copy / "iw-k2-seed0"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--k", "2", "--shard", "0/3")
    assert_one_line_error(code, err, "notes.txt")
    assert (folder / "notes.txt").read_text() == "mine"
    partial = run_copy / "mine.json.partial"
    partial.mkdir()
    (partial / "draft.txt").write_text("mine")
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--k", "2",
                           "--out", str(run_copy / "mine.json"))
    assert_one_line_error(code, err, "draft.txt")
    assert (partial / "draft.txt").read_text() == "mine"
    assert not (run_copy / "mine.json").exists()


def test_bounds_of_other_settings_in_the_folder_are_refused(capsys, run_copy):
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--k", "2", "--batch-size", "200",
                           "--shard", "0/2")
    assert code == 0, err
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--k", "2", "--shard", "1/2")
    assert_one_line_error(code, err, "batch")


@pytest.mark.parametrize("shard", ["2/2", "1", "a/b", "-1/3"])
def test_a_bad_shard_is_one_line(capsys, run_copy, shard):
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--shard", shard)
    assert_one_line_error(code, err, "--shard")


def test_the_paired_difference_fills_the_images_not_yet_scored():
    ours = {0: {"first": 0, "nll": [1.0, 2.0]}}
    theirs = {0: {"first": 0, "nll": [1.5, 2.25]}, 2: {"first": 2, "nll": [3.0, 4.0]}}
    p = paired(ours, theirs)
    assert p["n"] == 2
    assert p["diff"] == -0.375
    assert p["diff_se"] == pytest.approx(0.125)  # sample sd 0.25 / sqrt(2), over sqrt(2)
    # measured on images 0 and 1, theirs moved by the mean difference on 2 and 3
    assert p["projected"] == pytest.approx((1.0 + 2.0 + 2.625 + 3.625) / 4)
