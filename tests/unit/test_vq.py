"""The vector-quantized latent and its objective, on tiny tensors."""

import math

import pytest
import torch

from vaekit.config.load import load_config
from vaekit.model.build import build_model
from vaekit.model.latents.vector_quantized import VectorQuantizer
from vaekit.objectives import build_objective
from vaekit.objectives.base import Batch

T, K, D, C = 4, 5, 3, 6  # positions, codes, code size, feature channels per position


def _quantizer(**kw) -> VectorQuantizer:
    torch.manual_seed(0)
    return VectorQuantizer(C * T, T, codebook_size=K, code_dim=D, **kw)


def _z_e(vq: VectorQuantizer, h: torch.Tensor) -> torch.Tensor:
    """The unquantized encoder output, (B, T, D)."""
    return vq.project(h.reshape(len(h), -1, T).transpose(1, 2))


def test_returns_the_nearest_codebook_vectors_exactly():
    vq = _quantizer().eval()
    h = torch.randn(7, C * T)
    q = vq(h)
    grid = q.z.view(7, D, T).transpose(1, 2)  # (B, T, D)
    assert torch.equal(grid, vq.codebook[q.codes])
    dist = ((_z_e(vq, h)[:, :, None, :] - vq.codebook) ** 2).sum(-1)  # (B, T, K)
    assert torch.equal(q.codes, dist.argmin(-1))
    assert torch.equal(vq.embed(q.codes), q.z)


def test_gradients_pass_straight_through_to_the_encoder_only():
    vq = _quantizer().eval()
    h = torch.randn(7, C * T, requires_grad=True)
    w = torch.randn(7, D * T)
    (w * vq(h).z).sum().backward()
    through_quantizer = h.grad.clone()
    assert vq.codebook.grad is None or not vq.codebook.grad.any()
    h.grad = None
    (w * _z_e(vq, h).transpose(1, 2).flatten(1)).sum().backward()
    assert torch.allclose(through_quantizer, h.grad, atol=1e-6)
    assert through_quantizer.abs().sum() > 0


def test_codebook_loss_moves_codes_commitment_moves_the_encoder():
    vq = _quantizer().eval()
    q = vq(torch.randn(7, C * T))
    q.commitment.sum().backward(retain_graph=True)
    assert vq.codebook.grad is None and vq.project.weight.grad.abs().sum() > 0
    vq.project.weight.grad = None
    q.codebook.sum().backward()
    assert vq.project.weight.grad is None and vq.codebook.grad.abs().sum() > 0


def test_ema_codebook_is_a_buffer_that_follows_its_assignments():
    vq = _quantizer(ema=True, decay=0.5, restart_below=0.0)
    assert "codebook" not in dict(vq.named_parameters()) and "codebook" in vq.state_dict()
    h = torch.randn(64, C * T)
    z_e = _z_e(vq, h).reshape(-1, D).detach()
    before = vq.codebook.clone()
    codes = vq.eval()(h).codes.flatten()
    vq.train()(h)
    used = codes.unique()
    for k in used:  # moving sums / moving counts (decay 0.5; the initial count is 1)
        members = z_e[codes == k]
        target = (0.5 * before[k] + 0.5 * members.sum(0)) / (0.5 + 0.5 * len(members))
        assert torch.allclose(vq.codebook[k], target, atol=1e-3), k


def test_unused_codes_restart_on_the_worst_quantized_outputs():
    vq = _quantizer()
    with torch.no_grad():
        vq.codebook[1:] = 1e3  # codes 1..K-1 are far from everything: never used
    h = torch.randn(16, C * T)
    z_e = _z_e(vq, h).reshape(-1, D).detach()
    used = vq.codebook[0].clone()
    vq.train()(h)
    assert torch.equal(vq.codebook[0], used)  # the code in use stays
    for k in range(1, K):  # every dead code now sits on one of the batch's encoder outputs
        assert (vq.codebook[k] == z_e).all(1).any(), k
    assert vq(h).stats["codebook_usage"] > 1 / K


def test_perplexity_counts_equally_used_codes():
    vq = _quantizer().eval()
    with torch.no_grad():
        vq.codebook.copy_(torch.eye(K, D) * 100)
    # Two positions' worth of outputs near code 0 and two near code 1: perplexity 2.
    q = vq(torch.zeros(1, C * T))
    codes = q.codes.flatten()
    freq = torch.bincount(codes, minlength=K).float() / len(codes)
    expected = math.exp(-sum(float(p * math.log(p)) for p in freq if p > 0))
    assert math.isclose(float(q.stats["perplexity"]), expected, rel_tol=1e-6)


def test_vq_objective_bound_charges_t_log_k_and_training_adds_the_vq_terms():
    cfg = load_config(base={"model": {"variant": "vq_vae", "channels": [8, 16], "latent_dim": 4,
                                      "latent_args": {"codebook_size": 8, "code_dim": 2}}})
    torch.manual_seed(0)
    model = build_model(cfg.model, (1, 8, 8)).eval()
    x = (torch.rand(5, 1, 8, 8) > 0.5).float()
    out = build_objective(cfg.objective)(model, Batch(x), None)
    assert torch.allclose(out.kl, torch.full((5,), 4 * math.log(8)))
    assert torch.allclose(out.bound, out.recon - out.kl)
    assert torch.isclose(out.loss, -out.bound.mean())
    train = build_objective(cfg.objective)(model, Batch(x), 0)
    q = model.encode(x)
    expected = (-train.recon + q.codebook + 0.25 * q.commitment).mean()
    assert torch.isclose(train.loss, expected)


def test_importance_weighted_estimate_of_a_code_grid_is_the_vq_bound():
    from vaekit.eval.iw import iw_estimate

    cfg = load_config(base={"model": {"variant": "vq_vae", "channels": [8, 16], "latent_dim": 4,
                                      "latent_args": {"codebook_size": 8, "code_dim": 2}}})
    torch.manual_seed(0)
    model = build_model(cfg.model, (1, 8, 8)).eval()
    x = (torch.rand(5, 1, 8, 8) > 0.5).float()
    bound = build_objective(cfg.objective)(model, Batch(x), None).bound
    est = iw_estimate(model, x, k=3)  # log q = 0 and p(codes) from the decoded vectors
    assert torch.allclose(est.log_px.float(), bound, atol=1e-4)
    assert torch.allclose(est.elbo.float(), bound, atol=1e-4)


def test_evaluating_a_code_grid_raises_no_collapse_warning():
    """Codes that vary little across the split are not a collapsed Gaussian posterior."""
    import vaekit

    cfg = load_config(base={"model": {"variant": "vq_vae", "channels": [8, 16], "latent_dim": 4,
                                      "latent_args": {"codebook_size": 8, "code_dim": 2}}})
    torch.manual_seed(0)
    model = build_model(cfg.model, (1, 8, 8)).eval()
    with torch.no_grad():  # every position lands on the same code: no unit varies at all
        model.latent.codebook.zero_()
    r = vaekit.evaluate(model, (torch.rand(20, 1, 8, 8) > 0.5).float(), k=3)
    assert r.active_units is None and not r.warnings


@pytest.mark.parametrize(("shape", "positions"), [((1, 8, 8), 4), ((1, 28, 28), 49), ((3, 12, 20), 15)])
def test_the_code_grid_follows_the_encoder_feature_map(shape, positions):
    cfg = load_config(base={"model": {"variant": "vq_vae", "likelihood": "bernoulli"}})
    assert cfg.model.latent_dim is None
    torch.manual_seed(0)
    derived = build_model(cfg.model, shape)
    assert derived.latent.positions == positions
    torch.manual_seed(0)  # the probe build leaves the random state as it was
    explicit = build_model(cfg.model.model_copy(update={"latent_dim": positions}), shape)
    for a, b in zip(derived.state_dict().values(), explicit.state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize(("update", "message"), [
    ({"arch": "mlp", "arch_args": {}}, "has none"),
    ({"latent": "gaussian", "latent_args": {}}, "needs a size")])
def test_a_size_that_cannot_be_derived_is_a_config_error(update, message):
    from vaekit.errors import ConfigError

    cfg = load_config(base={"model": {"variant": "vq_vae", "likelihood": "bernoulli"}})
    with pytest.raises(ConfigError, match=message):
        build_model(cfg.model.model_copy(update=update), (1, 8, 8))
