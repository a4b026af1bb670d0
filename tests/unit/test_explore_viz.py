"""Figures and layouts: exact pixel sizes, row order, and PNG/HTML building blocks."""

from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image

from vaekit.report.html import flatten, image, key_values, page
from vaekit.viz.columns import column_error_figure
from vaekit.viz.curves import training_curves
from vaekit.viz.figure import figure_png, png_bytes
from vaekit.viz.latent_scatter import latent_map_figure
from vaekit.viz.layouts import interpolation_rows, originals_above_reconstructions
from vaekit.viz.traversal import traversal_figure, traversal_size


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def test_originals_sit_above_their_reconstructions():
    x = torch.arange(5).float().reshape(5, 1, 1, 1)
    ordered = originals_above_reconstructions(x, x + 10, ncol=2)
    assert ordered.flatten().tolist() == [0, 1, 10, 11, 2, 3, 12, 13, 4, 14]


def test_interpolation_rows_put_the_originals_at_both_ends():
    xa, xb = torch.zeros(2, 1, 2, 2), torch.ones(2, 1, 2, 2)
    paths = torch.full((2, 3, 1, 2, 2), 0.5)
    rows = interpolation_rows(xa, paths, xb)
    assert rows.shape == (10, 1, 2, 2)
    assert rows[:, 0, 0, 0].tolist() == [0, 0.5, 0.5, 0.5, 1] * 2


def test_traversal_figure_has_its_exact_pixel_size_grey_and_rgb():
    for c, h, w, scale in [(1, 8, 8, 4), (3, 16, 12, 2)]:
        images = torch.rand(3, 5, c, h, w)
        fig = traversal_figure(images, [2, 0, 1], [1.5, 0.7, 0.0], [True, True, False], 3.0, scale)
        assert png_size(figure_png(fig)) == traversal_size(3, 5, h, w, scale)


def test_traversal_grid_is_drawn_unresampled():
    images = torch.zeros(1, 2, 1, 4, 4)
    images[0, 1] = 1.0  # second cell white
    fig = traversal_figure(images, [0], [1.0], [True], 3.0, scale=1)
    arr = np.asarray(Image.open(io.BytesIO(figure_png(fig))).convert("L"))
    from vaekit.viz.traversal import HEADER_H, LABEL_W

    top, left = HEADER_H + 1, LABEL_W + 1
    assert (arr[top : top + 4, left : left + 4] == 0).all()
    assert (arr[top : top + 4, left + 5 : left + 9] == 255).all()


def test_curves_latent_map_and_column_figures_have_fixed_sizes():
    rows = [{"epoch": str(e), "train_loss": 10 - e, "test_loss": 11 - e, "train_recon": 8,
             "test_recon": 9, "train_kl": 2, "test_kl": 2, "beta": 1} for e in (1, 2, 3)]
    assert png_size(figure_png(training_curves(rows, "digits"))) == (900, 600)
    pts = torch.randn(30, 2)
    labels = torch.arange(30) % 3
    assert png_size(figure_png(latent_map_figure(pts, labels, ["a", "b", "c"], "pca"))) == (720, 600)
    assert png_size(figure_png(latent_map_figure(pts))) == (720, 600)
    assert png_size(figure_png(latent_map_figure(pts, torch.arange(30), None))) == (720, 600)
    fig = column_error_figure(["a", "b"], [0.5, 0.25], ["RMSE 1", "error rate 25 %"])
    assert png_size(figure_png(fig)) == (700, 90 + 2 * 22)


def test_png_bytes_of_grey_and_rgb_arrays():
    grey = np.zeros((5, 7, 1), np.uint8)
    rgb = np.zeros((5, 7, 3), np.uint8)
    assert Image.open(io.BytesIO(png_bytes(grey))).mode == "L"
    assert Image.open(io.BytesIO(png_bytes(rgb))).size == (7, 5)


def test_html_blocks_escape_and_embed():
    html = key_values({"held-out -ELBO": 1.234567891, "<b>": "x&y"})
    assert "1.23457" in html and "&lt;b&gt;" in html and "x&amp;y" in html
    tag = image(png_bytes(np.zeros((2, 2), np.uint8)), "alt", "cap")
    assert 'src="data:image/png;base64,' in tag and "<figcaption>cap</figcaption>" in tag
    assert flatten({"a": {"b": 1, "c": list(range(20))}})["a.b"] == 1
    assert "20 values" in flatten({"c": list(range(20))})["c"]
    assert page("t", "<p>x</p>").startswith("<!DOCTYPE html>")
