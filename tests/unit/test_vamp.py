"""The VampPrior: its density, samples, gradients, state dict, cache and KL seam."""

from __future__ import annotations

import math

import pytest
import torch
from torch import Tensor, nn

from vaekit import registry
from vaekit.dists.gaussian import DiagGaussian
from vaekit.dists.priors.base import PriorContext
from vaekit.dists.priors.vamp import VampPrior, vamp
from vaekit.dists.protocols import Prior, kl_terms
from vaekit.errors import ConfigError
from vaekit.model.latents.gaussian import GaussianLatent

SHAPE = (1, 4, 4)


class Model(nn.Module):
    """Encoder + latent as in a VAE, with a prior built from them; counts encodings."""

    def __init__(self, latent_dim: int = 3, components: int = 4, with_latent: bool = False) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(16, 8))
        self.latent = GaussianLatent(8, latent_dim)
        self.calls = 0
        ctx = PriorContext(latent_dim=latent_dim, shape=SHAPE, encode=self.encode,
                           latent=self.latent if with_latent else None)
        self.prior = vamp(ctx, components=components)

    def encode(self, u: Tensor) -> DiagGaussian:
        self.calls += 1
        return self.latent(self.encoder(u))

    def moments(self) -> tuple[Tensor, Tensor]:
        q = self.latent(self.encoder(self.prior.pseudo_inputs()))
        return q.mu, q.logvar


def brute_log_prob(mu: Tensor, logvar: Tensor, z: Tensor) -> Tensor:
    """logsumexp over an explicit (..., K, L) tensor, in float64."""
    per = DiagGaussian(mu.double(), logvar.double()).log_prob_per_dim(z.double().unsqueeze(-2))
    return torch.logsumexp(per.sum(-1), -1) - math.log(mu.shape[0])


def test_one_component_is_its_gaussian() -> None:
    torch.manual_seed(0)
    m = Model(components=1)
    z = torch.randn(7, 3)
    mu, logvar = m.moments()
    assert torch.allclose(m.prior.log_prob(z), DiagGaussian(mu, logvar).log_prob(z), atol=1e-5)


@pytest.mark.parametrize("logvar_bias", [0.0, -14.0])
def test_log_prob_matches_brute_force(logvar_bias: float) -> None:
    torch.manual_seed(1)
    m = Model(components=6)
    with torch.no_grad():
        m.latent.logvar.bias.add_(logvar_bias)  # -14: sigma ~ 1e-3, where float32 expansion fails
        m.latent.mu.bias.add_(3.0)
    mu, logvar = m.moments()
    z = (mu[torch.randint(6, (3, 5))] + torch.randn(3, 5, 3) * torch.exp(0.5 * logvar.mean())).detach()
    got = m.prior.log_prob(z)
    assert got.shape == (3, 5) and got.dtype == torch.float32
    assert torch.allclose(got.double(), brute_log_prob(mu, logvar, z), rtol=1e-5, atol=1e-4)


def test_integrates_to_one() -> None:
    torch.manual_seed(2)
    m = Model(latent_dim=1, components=3)
    dx = 1e-3
    grid = torch.arange(-25.0, 25.0, dx).unsqueeze(-1)
    with torch.no_grad():
        total = torch.exp(m.prior.log_prob(grid).double()).sum() * dx
    assert abs(total.item() - 1.0) < 1e-3


def two_far_components() -> VampPrior:
    """Rows u = ±1 encoded to N(±5, 0.5^2)."""
    ctx = PriorContext(latent_dim=1, shape=(1,),
                       encode=lambda u: DiagGaussian(5 * u, torch.full_like(u, math.log(0.25))))
    prior = vamp(ctx, components=2)
    with torch.no_grad():
        prior.raw.copy_(torch.tensor([[1.0], [-1.0]]))
    return prior


def test_samples_of_far_apart_components() -> None:
    prior = two_far_components()
    z = prior.sample(4000, "cpu", generator=torch.Generator().manual_seed(0))
    assert z.shape == (4000, 1) and not z.requires_grad
    right, left = (z - 5).abs() < 2.5, (z + 5).abs() < 2.5
    assert (right | left).all()
    assert abs(right.float().mean().item() - 0.5) < 0.04
    assert abs(z.mean().item()) < 0.35
    assert abs(z[right].std().item() - 0.5) < 0.05
    cold = prior.sample(50, temperature=0.0, generator=torch.Generator().manual_seed(1))
    assert set(cold.flatten().tolist()) <= {5.0, -5.0}
    again = prior.sample(4000, "cpu", generator=torch.Generator().manual_seed(0))
    other = prior.sample(4000, "cpu", generator=torch.Generator().manual_seed(1))
    assert torch.equal(z, again) and not torch.equal(z, other)
    assert torch.allclose(prior.center(), torch.zeros(1), atol=1e-6)
    assert torch.allclose(prior.scale(), torch.tensor([math.sqrt(25.25)]))


def test_center_and_scale_match_samples() -> None:
    torch.manual_seed(3)
    m = Model(components=5)
    z = m.prior.sample(40000, generator=torch.Generator().manual_seed(0))
    assert m.prior.center().shape == (3,) and m.prior.scale().shape == (3,)
    assert torch.allclose(m.prior.center(), z.mean(0), atol=0.03)
    assert torch.allclose(m.prior.scale(), z.std(0), rtol=0.03)


def test_gradients_reach_pseudo_inputs_encoder_and_z() -> None:
    torch.manual_seed(4)
    m = Model(components=4)
    z = torch.randn(6, 3, requires_grad=True)
    m.prior.log_prob(z).sum().backward()
    grads = [m.prior.raw.grad, m.encoder[1].weight.grad, m.latent.logvar.weight.grad, z.grad]
    assert all(g is not None and g.abs().sum() > 0 for g in grads)
    got = [g.clone() for g in grads]
    m.zero_grad()
    z.grad = None
    mu, logvar = m.moments()
    brute_log_prob(mu, logvar, z).sum().backward()
    for g, want in zip(got, [m.prior.raw.grad, m.encoder[1].weight.grad, m.latent.logvar.weight.grad,
                             z.grad], strict=True):
        assert torch.allclose(g, want.float(), rtol=1e-4, atol=1e-6)


def test_memory_bounded_no_rows_by_components_by_latent_tensor() -> None:
    torch.manual_seed(5)
    m = Model(latent_dim=16, components=500)
    z = torch.randn(8, 256, 16, requires_grad=True)
    sizes: list[int] = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: sizes.append(t.numel()) or t, lambda t: t):
        out = m.prior.log_prob(z)
    assert out.shape == (8, 256)
    assert max(sizes) <= 2048 * 500  # (N, K) at most: never (N, K, L)


def test_state_dict_holds_only_pseudo_inputs() -> None:
    m = Model(components=7)
    assert list(m.prior.state_dict()) == ["raw"]
    assert list(m.prior.children()) == []
    assert [k for k in m.state_dict() if k.startswith("prior.")] == ["prior.raw"]
    assert m.prior.raw.shape == (7, *SHAPE)


def test_init_images_near_half_rows_standard() -> None:
    torch.manual_seed(6)
    u = Model(components=200).prior.pseudo_inputs()
    assert ((u > 0) & (u < 1)).all() and abs(u.mean().item() - 0.5) < 0.01 and u.std() < 0.05
    def encode(u):
        return DiagGaussian(torch.zeros(len(u), 2), torch.zeros(len(u), 2))

    rows = vamp(PriorContext(latent_dim=2, shape=(5,), encode=encode), components=400)
    assert torch.equal(rows.pseudo_inputs(), rows.raw) and abs(rows.raw.std().item() - 1) < 0.05


def test_cache_no_grad_sees_new_weights() -> None:
    torch.manual_seed(7)
    m = Model(components=4)
    z = torch.randn(5, 3)
    with torch.no_grad():
        first = m.prior.log_prob(z)
        m.calls = 0
        assert torch.equal(m.prior.log_prob(z), first) and m.calls == 0  # cached
    # A grad-enabled call (a training step) in between: the next no_grad call re-encodes.
    with torch.no_grad():
        m.encoder[1].weight.add_(0.5)
    m.prior.log_prob(z)
    with torch.no_grad():
        new = m.prior.log_prob(z)
        assert torch.allclose(new.double(), brute_log_prob(*m.moments(), z), atol=1e-4)
        assert not torch.allclose(new, first)
    # train()/eval() drop the cache; so does clear_cache().
    for drop in (lambda: m.train(), lambda: m.eval(), m.prior.clear_cache):
        with torch.no_grad():
            m.prior.log_prob(z)
            m.encoder[1].weight.add_(0.5)
        drop()
        with torch.no_grad():
            assert torch.allclose(m.prior.log_prob(z).double(), brute_log_prob(*m.moments(), z), atol=1e-4)
    # Changing the pseudo-inputs (an optimizer step, load_state_dict) invalidates it too.
    with torch.no_grad():
        m.prior.log_prob(z)
        m.prior.load_state_dict({"raw": torch.randn(4, *SHAPE)})
        assert torch.allclose(m.prior.log_prob(z).double(), brute_log_prob(*m.moments(), z), atol=1e-4)


def test_cache_sees_optimizer_step_on_latent_without_prior_call() -> None:
    torch.manual_seed(8)
    m = Model(components=4, with_latent=True)
    opt = torch.optim.SGD(m.parameters(), lr=0.5)
    z = torch.randn(5, 3)
    with torch.no_grad():
        before = m.prior.log_prob(z)
    m.latent.mu(torch.randn(2, 8)).sum().backward()  # a step that never calls the prior
    opt.step()
    with torch.no_grad():
        after = m.prior.log_prob(z)
    assert not torch.allclose(after, before)
    assert torch.allclose(after.double(), brute_log_prob(*m.moments(), z), atol=1e-4)


def test_inference_mode() -> None:
    torch.manual_seed(9)
    m = Model(components=4, with_latent=True)
    z = torch.randn(5, 3)
    with torch.no_grad():
        want = m.prior.log_prob(z)
    m.prior.clear_cache()
    m.calls = 0
    with torch.inference_mode():
        a, b = m.prior.log_prob(z), m.prior.log_prob(z)
        s = m.prior.sample(3, generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b) and torch.allclose(a, want) and m.calls == 1 and s.shape == (3, 3)


def test_builder_errors_and_registration() -> None:
    with pytest.raises(ConfigError, match="unconditional"):
        vamp(PriorContext(latent_dim=2, shape=SHAPE, encode=None))
    for bad in (0, -3, 2.5, True):  # checked from the declared type, before anything is built
        with pytest.raises(ConfigError, match="prior 'vamp': components should be"):
            registry.bind("prior", "vamp", {"components": bad})
    assert registry.get("prior", "vamp") is vamp


class StandIn:
    """A diagonal Gaussian posterior with the protocol's kl_per_dim (None for a non-Gaussian prior)."""

    deterministic = False

    def __init__(self, mu: Tensor, logvar: Tensor) -> None:
        self.q = DiagGaussian(mu, logvar)

    def log_prob(self, z: Tensor) -> Tensor:
        return self.q.log_prob(z)

    def kl_per_dim(self, prior: Prior | None = None) -> Tensor | None:
        g = prior.gaussian() if prior is not None else None
        return self.q.kl_per_dim(g) if g is not None else None


def test_kl_terms_monte_carlo() -> None:
    torch.manual_seed(10)
    m = Model(components=1)
    prior = m.prior
    assert isinstance(prior, Prior) and prior.gaussian() is None and not prior.standard_normal
    assert prior.dim == 3 and prior.description == "VampPrior, 1 pseudo-inputs"
    with torch.no_grad():
        q = m.latent(m.encoder(torch.rand(4, *SHAPE)))
        post = StandIn(q.mu, q.logvar)
        draw = q.rsample_with_log_prob()
        z = draw.z
        kl, per_dim = kl_terms(post, prior, draw)
        assert per_dim is None and kl.shape == (4,)
        assert torch.allclose(kl, q.log_prob(z) - prior.log_prob(z))
        # One component: the MC average is the closed form against that Gaussian.
        draws = q.rsample(20000)
        mc = (q.log_prob(draws) - prior.log_prob(draws)).mean(0)
        exact = q.kl(DiagGaussian(*m.moments()))
    assert torch.allclose(mc, exact, atol=0.05 + 0.02 * exact.abs().max().item())


@pytest.mark.parametrize(("variant", "extra"), [
    ("vamp", {}), ("hvae_vamp", {"latent_args": {"layers": [3], "hidden": 16}})])
def test_a_deep_copy_encodes_its_pseudo_inputs_with_its_own_encoder(variant, extra):
    """The moving average of the weights is a deep copy: its prior must follow its weights."""
    import copy

    from vaekit.config.load import load_config
    from vaekit.model.build import build_model

    cfg = load_config(base={"model": {"variant": variant, "hidden": [32], "latent_dim": 4,
                                      "prior_args": {"components": 5}, **extra}})
    torch.manual_seed(0)
    model = build_model(cfg.model, (1, 8, 8)).eval()
    twin = copy.deepcopy(model)

    def vamp_of(m):  # the ladder's VampPrior is p(z_L) of its top layer
        return m.latent.top_prior if variant == "hvae_vamp" else m.prior

    z = torch.randn(3, vamp_of(model).dim)
    with torch.no_grad():
        before = vamp_of(model).log_prob(z)
        assert torch.allclose(vamp_of(twin).log_prob(z), before)
        for name, p in twin.named_parameters():  # every weight at once, as the average moves
            if not name.endswith("raw"):           # them, the pseudo-inputs left as they were
                p.add_(0.5)
        assert not torch.allclose(vamp_of(twin).log_prob(z), before, atol=1e-3)
        assert torch.allclose(vamp_of(model).log_prob(z), before)
