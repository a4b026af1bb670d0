"""The autoregressive code prior: causal, normalized, saved and reloaded exactly."""

import itertools
import math

import pytest
import torch

from vaekit.dists.priors.code_transformer import CodeTransformer
from vaekit.store.fitted_prior import build_fitted_prior, save_fitted_prior

K, T = 6, 7


def _net(**kw) -> CodeTransformer:
    torch.manual_seed(0)
    return CodeTransformer(K, T, width=16, depth=2, heads=2, **kw).eval()


@pytest.mark.parametrize("j", range(T))
def test_changing_a_later_code_never_changes_an_earlier_logit(j):
    net = _net()
    codes = torch.randint(K, (4, T), generator=torch.Generator().manual_seed(j))
    changed = codes.clone()
    changed[:, j] = (codes[:, j] + 1) % K
    with torch.no_grad():
        a, b = net.logits(codes), net.logits(changed)
    # The logits of c_0..c_j condition on c_<=j-1 only: bitwise the same.
    assert torch.equal(a[:, : j + 1], b[:, : j + 1])
    if j + 1 < T:  # and the code does matter to the next position (the test is not vacuous)
        assert not torch.allclose(a[:, j + 1], b[:, j + 1])


def test_log_prob_is_a_normalized_distribution_over_grids():
    torch.manual_seed(0)
    net = CodeTransformer(3, 3, width=8, depth=1, heads=2).eval()
    grids = torch.tensor(list(itertools.product(range(3), repeat=3)))
    with torch.no_grad():
        total = torch.logsumexp(net.log_prob(grids), 0)
    assert math.isclose(float(total), 0.0, abs_tol=1e-5)


def test_log_prob_sums_the_per_position_log_softmax():
    net = _net()
    codes = torch.randint(K, (3, T))
    with torch.no_grad():
        logp = torch.log_softmax(net.logits(codes), -1)
        expected = sum(logp[:, t].gather(1, codes[:, t : t + 1]).squeeze(1) for t in range(T))
        assert torch.allclose(net.log_prob(codes), expected, atol=1e-5)


def test_samples_are_code_grids_and_reproducible():
    net = _net()
    a = net.sample_codes(5, generator=torch.Generator().manual_seed(1))
    b = net.sample_codes(5, generator=torch.Generator().manual_seed(1))
    assert a.shape == (5, T) and a.dtype == torch.long and 0 <= int(a.min()) <= int(a.max()) < K
    assert torch.equal(a, b)


def test_low_temperature_picks_the_most_likely_code():
    net = _net()
    codes = net.sample_codes(3, temperature=1e-4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(net.logits(codes).argmax(-1), codes)


def test_a_fitted_prior_is_saved_and_found_when_the_run_is_opened(tmp_path):
    from vaekit.artifacts.run_context import RunContext
    from vaekit.config.load import load_config
    from vaekit.model.build import build_model
    from vaekit.store.model_files import save_model

    cfg = load_config(base={"model": {"variant": "vq_vae", "channels": [8, 16], "latent_dim": 4}})
    torch.manual_seed(0)
    model = build_model(cfg.model, (1, 8, 8))
    save_model(model, cfg, tmp_path)
    assert RunContext.open(tmp_path).prior_fitted is False
    prior = build_fitted_prior(model, "code_transformer", {"width": 16, "depth": 1, "heads": 2})
    with torch.no_grad():
        for p in prior.parameters():
            p.add_(0.1 * torch.randn_like(p))
    save_fitted_prior(tmp_path, "code_transformer", {"width": 16, "depth": 1, "heads": 2}, prior,
                      {"note": "test"})
    ctx = RunContext.open(tmp_path)
    codes = torch.randint(model.latent.codebook_size, (4, model.latent.positions))
    with torch.no_grad():
        assert torch.equal(prior.log_prob(codes), ctx.model.prior.log_prob(codes))
        # Codebook vectors (what the decoder reads) map back to the same codes.
        z = ctx.model.latent.embed(codes)
        assert torch.equal(ctx.model.prior.log_prob(z), prior.log_prob(codes))
    assert ctx.prior_fitted and "code transformer" in ctx.model.prior.description
    assert ctx.model.prior.sample(3, generator=torch.Generator().manual_seed(0)).shape == (3, 32)
