"""EvalResult: the numbers of one evaluation, as eval.json stores them and as a readable table.

Field names and signs are a contract. All log-likelihood terms are means over the split in nats
per example: ``elbo`` is the bound itself (higher is better), ``nll`` = -IW bound (lower is
better), so -nll >= elbo; each ``*_se`` is the standard error of that mean over the examples.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class EvalResult:
    split: str
    n: int
    k: int
    seed: int
    likelihood: str
    binarization: str
    data: str | None
    elbo: float
    elbo_se: float
    recon: float  # E_q[log p(x|z)], nats per example (negative of the reconstruction loss)
    recon_se: float
    kl: float  # KL(q(z|x) || p(z)), closed form where the latent has one
    kl_se: float
    nll: float  # -IW_k bound
    nll_se: float
    elbo_gap: float  # (-elbo) - nll >= 0: estimates KL(q(z|x) || p(z|x)), nats
    elbo_gap_se: float
    bits_per_dim: float | None  # of nll, under bits_per_dim_convention
    elbo_bits_per_dim: float | None  # of -elbo, same convention
    bits_per_dim_convention: str
    dims: int  # D, the data dimensions per example
    kl_per_dim: list[float] | None  # (L,), sums to kl; None without a closed-form KL
    active_units: int | None  # None where z has no Gaussian units (a code grid)
    latent_dim: int
    mi: float | None  # I(x; z) under the aggregate posterior of the split, nats, <= log n
    mse: float | None  # mean over pixels of (x - mean of p(x | z = posterior mean))^2
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    units: str = "nats per example"
    layers: list[dict[str, Any]] | None = None  # hierarchical latents: KL, active units per layer
    prior: str = "N(0, I)"  # the prior p(z) the KL and the NLL are taken against
    # log |dx_model/dx| included in elbo, recon and nll, so that they are log p(x) of the data in
    # its own units (-sum log std of standardized table columns; 0 for images)
    log_jacobian: float = 0.0
    # q(z|x) is a point mass (a code grid): one sample is exact, and nll is -log p(x|z(x))p(z(x))
    deterministic: bool = False

    def to_dict(self) -> dict[str, Any]:
        import vaekit

        return {**asdict(self), "vaekit_version": vaekit.__version__}

    def table(self, title: str = "") -> str:
        """A readable summary: the terms with their standard errors, then the diagnostics."""
        def row(name: str, v: float, se: float | None = None, bpd: float | None = None) -> str:
            s = f"{name:<30}{v:>12.3f}"
            s += f"{se:>10.3f}" if se is not None else " " * 10
            return s + (f"{bpd:>11.4f}" if bpd is not None else "")

        head = f"{self.split} split of {title or self.data}: {self.n} examples"
        lines = [
            f"{head}, " + ("one sample (q(z|x) is a point mass: exact)" if self.deterministic
                           else f"k={self.k} importance samples") + f", seed {self.seed}",
            f"likelihood {self.likelihood}, binarization {self.binarization}, prior {self.prior}",
            "",
            f"{'':<30}{'nats/example':>12}{'SE':>10}{'bits/dim':>11}",
            row("-ELBO", -self.elbo, self.elbo_se, self.elbo_bits_per_dim),
            row("  -recon  -E_q[log p(x|z)]", -self.recon, self.recon_se),
            row("  KL(q(z|x) || p(z))", self.kl, self.kl_se),
            row("NLL  -log p(x|z(x)) p(z(x))" if self.deterministic else
                f"NLL  -IW bound, k={self.k}", self.nll, self.nll_se, self.bits_per_dim),
            row("ELBO gap  -ELBO - NLL", self.elbo_gap, self.elbo_gap_se),
            "",
        ]
        diag = [] if self.active_units is None else [f"active units {self.active_units}/{self.latent_dim}"]
        if self.mi is not None:
            diag.append(f"I(x;z) {self.mi:.3f} nats (at most log n = {math.log(self.n):.3f})")
        if self.mse is not None:
            diag.append(f"MSE of the likelihood mean {self.mse:.5f}")
        lines.append(", ".join(diag))
        lines += [f"  layer {r['layer']}: "
                  + ("KL not split by layer, " if r["kl"] is None else f"KL {r['kl']:.3f} nats"
                     + (" (Monte Carlo), " if r.get("kl_estimate") == "monte carlo" else ", "))
                  + f"active units {r['active_units']}/{r['size']}" for r in self.layers or []]
        lines.append(f"bits/dim convention: {self.bits_per_dim_convention}")
        if self.units != EvalResult.units:
            lines.append(f"in the data's own units: {self.units}")
        if self.log_jacobian:
            lines.append(f"in the data's own units: the standardization's log-Jacobian "
                         f"{self.log_jacobian:.3f} nats is included in -ELBO, -recon and NLL")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)
