"""The report's pictures are bounded: a decoder slow enough to cost more than a tenth of the
training (an autoregressive one, a pass per pixel) gets fewer pictures, and the report says so."""

from __future__ import annotations

import shutil

import pytest

from vaekit.report import sections
from vaekit.report.budget import FULL, budget_seconds, plan_pictures
from vaekit.report.build import build_report


def test_a_cheap_decoder_gets_every_picture():
    assert plan_pictures(1e-4, 20, budget_seconds(5.0)) == FULL
    assert budget_seconds(5.0) == 10.0 and budget_seconds(1800.0) == 60.0
    assert budget_seconds(300.0) == pytest.approx(30.0)


@pytest.mark.parametrize("latent_dim", [2, 20, 128])
def test_a_slow_decoder_is_cut_to_its_budget_and_says_so(latent_dim):
    per_image = 0.5  # of the order of the 30-minute preset's PixelCNN on 2 cores
    plan = plan_pictures(per_image, latent_dim, 60.0)
    assert FULL.images(latent_dim) * per_image > 60.0  # the full plan would not fit
    # The minima keep every picture: the plan costs about the budget, far below the full one.
    assert plan.images(latent_dim) * per_image <= 1.5 * 60.0
    assert plan.images(latent_dim) < FULL.images(latent_dim) / 2
    assert plan.samples >= 8 and plan.pairs >= 1 and plan.traversal_dims >= 2
    assert f"{plan.samples} samples" in plan.note and "60 s" in plan.note


def test_the_report_of_a_run_over_its_budget_shows_fewer_pictures_and_why(tiny_run, tmp_path,
                                                                         monkeypatch):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    full = build_report(run)
    assert "pictures are cut" not in full and "64 draws of z" in full
    monkeypatch.setattr(sections, "budget_seconds", lambda trained: 1e-6)
    cut = build_report(run)
    assert "pictures are cut to fit" in cut and "8 draws of z" in cut
