"""Pure exploration functions: interpolation paths, traversal codes, latent maps, manifold grid."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from vaekit.config.load import load_config
from vaekit.explore.interpolate import interpolation_paths, lerp, slerp
from vaekit.explore.latent_map import embed_2d, resolve_method, subsample
from vaekit.explore.manifold import NotTwoDimensional, manifold, quantile_grid
from vaekit.explore.traverse import latent_stats, traversal_codes, traverse
from vaekit.model.build import build_model


def tiny_model(latent_dim: int = 4, shape: tuple[int, ...] = (1, 8, 8)):
    torch.manual_seed(0)
    cfg = load_config(overrides=["model.hidden=[16]", f"model.latent_dim={latent_dim}",
                                 "model.likelihood=continuous_bernoulli"])
    return build_model(cfg.model, shape).eval()


@pytest.mark.parametrize("path", [lerp, slerp])
def test_interpolation_endpoints_are_the_two_codes(path):
    z1, z2 = torch.randn(7, generator=torch.Generator().manual_seed(1)), torch.randn(7)
    p = path(z1, z2, 6)
    assert p.shape == (6, 7)
    assert torch.equal(p[0], z1) and torch.equal(p[-1], z2)


def test_lerp_is_the_straight_line():
    z1, z2 = torch.tensor([0.0, 2.0]), torch.tensor([4.0, -2.0])
    assert torch.allclose(lerp(z1, z2, 5)[2], torch.tensor([2.0, 0.0]))
    assert torch.allclose(lerp(z1, z2, 5)[1], 0.75 * z1 + 0.25 * z2)


def test_slerp_keeps_the_norm_profile_where_lerp_sags():
    g = torch.Generator().manual_seed(0)
    z1, z2 = torch.randn(16, generator=g), torch.randn(16, generator=g)
    z2 = z2 / z2.norm() * z1.norm()  # equal norms
    norms = slerp(z1, z2, 11).norm(dim=1)
    assert torch.allclose(norms, z1.norm().expand(11), rtol=1e-5)
    assert lerp(z1, z2, 11).norm(dim=1)[5] < 0.95 * z1.norm()  # the straight line cuts inside
    # Unequal norms: the norm goes linearly from |z1| to |z2|; the angle moves at constant speed.
    z3 = 3 * z2
    path = slerp(z1, z3, 11)
    t = torch.linspace(0, 1, 11)
    assert torch.allclose(path.norm(dim=1), (1 - t) * z1.norm() + t * z3.norm(), rtol=1e-5)
    u = path / path.norm(dim=1, keepdim=True)
    steps = torch.arccos((u[1:] * u[:-1]).sum(1).clamp(-1, 1))
    assert torch.allclose(steps, steps.mean().expand(10), atol=1e-4)


def test_slerp_of_parallel_or_zero_codes_falls_back_to_the_line():
    z = torch.tensor([1.0, 2.0, 2.0])
    assert torch.allclose(slerp(z, 2 * z, 3), lerp(z, 2 * z, 3))
    assert torch.allclose(slerp(torch.zeros(3), z, 3), lerp(torch.zeros(3), z, 3))


def test_decoded_interpolation_starts_and_ends_at_the_reconstructions():
    model = tiny_model()
    xa, xb = torch.rand(2, 1, 8, 8), torch.rand(2, 1, 8, 8)
    paths = interpolation_paths(model, xa, xb, steps=5, spherical=True)
    assert paths.shape == (2, 5, 1, 8, 8)
    with torch.no_grad():
        assert torch.allclose(paths[:, 0], model.reconstruct(xa), atol=1e-6)
        assert torch.allclose(paths[:, -1], model.reconstruct(xb), atol=1e-6)


def test_traversal_changes_only_the_chosen_dimension():
    base = torch.tensor([0.5, -1.0, 2.0, 0.0])
    values = torch.linspace(-3, 3, 7)
    codes = traversal_codes(base, [2, 0], values)
    assert codes.shape == (2, 7, 4)
    assert torch.equal(codes[0, :, 2], values) and torch.equal(codes[1, :, 0], values)
    for row, dim in enumerate([2, 0]):
        others = [d for d in range(4) if d != dim]
        assert torch.equal(codes[row][:, others], base[others].expand(7, 3))


def test_traverse_decodes_one_row_per_dimension():
    model = tiny_model()
    out = traverse(model, torch.zeros(4), [3, 1], span=2.0, steps=5)
    assert out.shape == (2, 5, 1, 8, 8)
    with torch.no_grad():
        z = torch.zeros(1, 4)
        z[0, 1] = -2.0
        assert torch.allclose(out[1, 0], model.decode(z).mean[0], atol=1e-6)


def test_latent_stats_kl_order_and_active_units():
    model = tiny_model()
    x = torch.rand(50, 1, 8, 8)
    stats = latent_stats(model, x, batch_size=16)
    with torch.no_grad():
        q = model.encode(x)
    assert torch.allclose(stats.kl, q.kl_per_dim().mean(0), atol=1e-5)
    assert stats.means.shape == (50, 4)
    assert torch.equal(stats.active, q.mean.var(0) > 0.01)
    order = stats.order()
    assert sorted(order) == [0, 1, 2, 3]
    assert all(stats.kl[a] >= stats.kl[b] for a, b in itertools.pairwise(order))


@pytest.mark.parametrize("dim, method, used", [(2, "auto", "identity"), (1, "auto", "identity"),
                                               (6, "auto", "pca"), (6, "pca", "pca")])
def test_latent_map_has_one_point_per_example(dim, method, used):
    means = torch.randn(40, dim, generator=torch.Generator().manual_seed(0))
    points, got = embed_2d(means, method)
    assert got == used and points.shape == (40, 2)
    if dim == 2:
        assert torch.allclose(points, means)
    if used == "pca":  # the first axis carries at least as much variance as the second
        assert points[:, 0].var() >= points[:, 1].var()
        assert torch.allclose(points.mean(0), torch.zeros(2), atol=1e-5)


def test_pca_map_finds_the_direction_of_largest_variance():
    g = torch.Generator().manual_seed(0)
    means = torch.randn(200, 5, generator=g) * torch.tensor([0.1, 5.0, 0.1, 1.0, 0.1])
    points, _ = embed_2d(means, "pca")
    assert float(points[:, 0].std()) == pytest.approx(float(means[:, 1].std()), rel=0.05)
    assert float(points[:, 1].std()) == pytest.approx(float(means[:, 3].std()), rel=0.1)


def test_tsne_map_shape_and_unknown_method():
    means = torch.randn(30, 5, generator=torch.Generator().manual_seed(0))
    points, used = embed_2d(means, "tsne")
    assert used == "tsne" and points.shape == (30, 2) and torch.isfinite(points).all()
    with pytest.raises(ValueError):
        embed_2d(means, "umap")
    assert resolve_method("auto", 64) == "pca"


def test_subsample_is_seeded_sorted_and_complete_when_small():
    assert torch.equal(subsample(5, 10), torch.arange(5))
    a, b = subsample(1000, 50, seed=3), subsample(1000, 50, seed=3)
    assert torch.equal(a, b) and len(a.unique()) == 50 and torch.equal(a, a.sort().values)


def test_quantile_grid_follows_the_inverse_normal_cdf():
    grid = quantile_grid(5, margin=0.05)
    assert grid.shape == (25, 2)
    z = torch.distributions.Normal(0.0, 1.0).icdf(torch.linspace(0.05, 0.95, 5))
    assert torch.allclose(grid[:5, 0], z)  # z1 increases along a row
    assert torch.allclose(grid[::5, 1], z.flip(0))  # z2 decreases down the rows
    assert grid[12].abs().max() < 1e-6  # the centre is the prior's mean
    assert math.isclose(float(grid[0, 1]), 1.6449, abs_tol=1e-3)


def test_manifold_needs_a_two_dimensional_latent():
    assert manifold(tiny_model(2), n=3).shape == (9, 1, 8, 8)
    with pytest.raises(NotTwoDimensional, match="2-D latent"):
        manifold(tiny_model(4), n=3)


def test_latent_stats_of_an_autoencoder_order_by_variance():
    cfg = load_config(overrides=["model.variant=ae", "model.hidden=[16]", "model.latent_dim=3"])
    torch.manual_seed(0)
    model = build_model(cfg.model, (1, 8, 8)).eval()
    stats = latent_stats(model, torch.rand(40, 1, 8, 8))
    assert stats.kl is None  # a point mass has no KL
    assert stats.order() == torch.argsort(stats.variance, descending=True).tolist()
