"""p(x|z) over the columns of a mixed-type table, each in its own units.

The row tensor is a table codec's: per column a block (``blocks``, as the table source declares
them). A categorical column is a softmax over its categories (its term is the log of a true
probability); a boolean one is Bernoulli. A continuous column holds alpha = (x - mu_m) / (4 sigma_m)
and the one-hot of its mode m under the column's fitted mixture (mu, sigma); the decoder gives
mode logits pi and per-mode Gaussians N(a_m, s_m) over the normalized value, so

    p(x|z) = sum_m pi_m N((x - mu_m) / (4 sigma_m); a_m, s_m) / (4 sigma_m),

a density per unit of x itself (x is recovered from its block, then normalized by every mode).
A small weight ``outlier_weight`` of it goes to one broad Gaussian around the column (centred on
its fitted mixture, ``outlier_scale`` times its spread), so that a value far from every mode (a
typo, a rare outlier in the held-out rows) costs tens of nats, not millions. NaN cells are
missing: their terms are left out of log p(x|z), never filled in.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from vaekit.dists.gaussian import LOG_2PI
from vaekit.dists.likelihoods.base import FactorizedDist, Likelihood
from vaekit.registry import register


def _padded(groups: list[list[int]]) -> tuple[Tensor, Tensor]:
    """Ragged index lists -> (G, W) long indices (0 where padded) and a (G, W) validity mask."""
    width = max((len(g) for g in groups), default=1)
    idx = torch.zeros(len(groups), width, dtype=torch.long)
    valid = torch.zeros(len(groups), width, dtype=torch.bool)
    for i, g in enumerate(groups):
        idx[i, : len(g)] = torch.tensor(g, dtype=torch.long)
        valid[i, : len(g)] = True
    return idx, valid


def _gumbel_argmax(logits: Tensor, generator: torch.Generator | None) -> Tensor:
    """A draw from Categorical(softmax(logits)) over the last dim: (...,) indices."""
    u = torch.rand(logits.shape, generator=generator, device=logits.device).clamp_(1e-12, 1 - 1e-7)
    return (logits - torch.log(-torch.log(u))).argmax(-1)


class Layout:
    """Where each column's block sits in the row (``x_*``) and in the decoder output (``p_*``)."""

    def __init__(self, blocks: list[dict[str, Any]]) -> None:
        cat_x, cat_p, bool_x, bool_p = [], [], [], []
        alpha, modes, logit_p, mean_p, sig_p, mu, sd, lw = [], [], [], [], [], [], [], []
        center, spread = [], []
        self.order: list[tuple[str, int]] = []  # (kind, index within its kind) per column
        x_at = p_at = 0
        for b in blocks:
            kind = b.get("kind")
            if kind == "categorical":
                size = int(b["size"])
                cat_x.append(list(range(x_at, x_at + size)))
                cat_p.append(list(range(p_at, p_at + size)))
                self.order.append((kind, len(cat_x) - 1))
                x_at, p_at = x_at + size, p_at + size
            elif kind == "boolean":
                bool_x.append(x_at)
                bool_p.append(p_at)
                self.order.append((kind, len(bool_x) - 1))
                x_at, p_at = x_at + 1, p_at + 1
            elif kind == "continuous":
                k = len(b["means"])
                if k < 1 or len(b["stds"]) != k or min(b["stds"]) <= 0:
                    raise ValueError("a continuous block needs as many positive stds as means")
                alpha.append(x_at)
                modes.append(list(range(x_at + 1, x_at + 1 + k)))
                logit_p.append(list(range(p_at, p_at + k)))
                mean_p.append(list(range(p_at + k, p_at + 2 * k)))
                sig_p.append(list(range(p_at + 2 * k, p_at + 3 * k)))
                mu.append([float(v) for v in b["means"]])
                sd.append([float(v) for v in b["stds"]])
                w = torch.tensor(b.get("weights") or [1.0 / k] * k, dtype=torch.float64)
                lw.append(torch.log(w / w.sum()).tolist())
                m, s = torch.tensor(mu[-1], dtype=torch.float64), torch.tensor(sd[-1],
                                                                              dtype=torch.float64)
                c = float((w * m).sum() / w.sum())
                center.append(c)
                spread.append(float(((w * (s**2 + (m - c) ** 2)).sum() / w.sum()).sqrt()))
                self.order.append((kind, len(alpha) - 1))
                x_at, p_at = x_at + 1 + k, p_at + 3 * k
            else:
                raise ValueError(f"unknown block kind {kind!r} (categorical, boolean, continuous)")
        self.width, self.n_params = x_at, p_at
        self.cat_x, self.cat_valid = _padded(cat_x)
        self.cat_p, _ = _padded(cat_p)
        self.bool_x = torch.tensor(bool_x, dtype=torch.long)
        self.bool_p = torch.tensor(bool_p, dtype=torch.long)
        self.alpha = torch.tensor(alpha, dtype=torch.long)
        self.modes, self.mode_valid = _padded(modes)
        self.logit_p, _ = _padded(logit_p)
        self.mean_p, _ = _padded(mean_p)
        self.sig_p, _ = _padded(sig_p)
        k = self.modes.shape[1]
        self.mu = torch.tensor([m + [0.0] * (k - len(m)) for m in mu] or [[0.0]])[: len(mu)]
        self.sd = torch.tensor([s + [1.0] * (k - len(s)) for s in sd] or [[1.0]])[: len(sd)]
        self.log_w = torch.tensor([w + [-math.inf] * (k - len(w)) for w in lw] or [[0.0]])[: len(lw)]
        self.center, self.spread = torch.tensor(center), torch.tensor(spread)


@register("likelihood", "columns")
class Columns(Likelihood):
    """Each column of a table by its own likelihood (see the module); ``blocks``: the layout a
    table source declares (its ``Dataset.likelihood``); ``min_sigma``: floor of s_m."""

    mixture_columns = True
    units = ("nats per row: each continuous column's density per unit of its own values, "
             "categorical and boolean terms log-probabilities, missing cells left out")

    def __init__(self, blocks: list[dict[str, Any]] | None = None, min_sigma: float = 0.01,
                 outlier_weight: float = 1e-3, outlier_scale: float = 10.0) -> None:
        super().__init__()
        if not blocks:
            raise ValueError("needs the column layout of a table (likelihood_args.blocks): train "
                             "on a .csv or .parquet table, whose source declares it")
        if min_sigma <= 0 or outlier_scale <= 0:
            raise ValueError("min_sigma and outlier_scale must be positive")
        if not 0 <= outlier_weight < 1:
            raise ValueError("outlier_weight must lie in [0, 1)")
        self.outlier = (outlier_weight, outlier_scale)
        self.layout = Layout(blocks)
        self.log_min = math.log(min_sigma)
        # The decoder gives params_per_dim outputs per row dimension; the first n_params are used.
        self.params_per_dim = max(1, math.ceil(self.layout.n_params / self.layout.width))

    def prepare_input(self, x: Tensor) -> Tensor:
        """A missing cell reaches the encoder as zeros (an all-zero one-hot, alpha 0)."""
        return torch.nan_to_num(x, nan=0.0)

    def forward(self, params: Tensor) -> ColumnsDist:
        if params.shape[-1] < self.layout.n_params:
            raise ValueError(f"{params.shape[-1]} decoder outputs; the layout needs "
                             f"{self.layout.n_params}")
        return ColumnsDist(params, self.layout, self.log_min, self.outlier)


class ColumnsDist(FactorizedDist):
    """p(x|z) for a batch: ``log_prob_elementwise`` gives (B, n_columns) nats, 0 where missing."""

    def __init__(self, params: Tensor, layout: Layout, log_min: float,
                 outlier: tuple[float, float] = (0.0, 1.0)) -> None:
        super().__init__(event_ndim=1)
        self.outlier = outlier
        self.layout, self.params = layout, params
        dev = params.device
        self.cat_logits = params[:, layout.cat_p.to(dev)].masked_fill(
            ~layout.cat_valid.to(dev), -math.inf)  # (B, Ccat, Cmax)
        self.bool_logits = params[:, layout.bool_p.to(dev)]  # (B, Cbool)
        valid = layout.mode_valid.to(dev)
        self.mode_logits = params[:, layout.logit_p.to(dev)].masked_fill(~valid, -math.inf)
        self.a = params[:, layout.mean_p.to(dev)]  # (B, Ccont, K) means of alpha per mode
        self.log_s = log_min + F.softplus(params[:, layout.sig_p.to(dev)] - log_min)
        self.mu, self.sd = layout.mu.to(dev), layout.sd.to(dev)

    def _cont_value(self, x: Tensor) -> Tensor:
        """(B, Ccont) each continuous column's value x in its units, from [alpha, one-hot]."""
        lay, dev = self.layout, x.device
        onehot = x[:, lay.modes.to(dev)].masked_fill(~lay.mode_valid.to(dev), -1.0)
        m = onehot.argmax(-1, keepdim=True)
        scale = 4 * self.sd.expand(len(x), -1, -1).gather(-1, m).squeeze(-1)
        return x[:, lay.alpha.to(dev)] * scale + self.mu.expand(len(x), -1, -1).gather(-1, m).squeeze(-1)

    def log_prob_elementwise(self, x: Tensor) -> Tensor:
        lay, dev = self.layout, x.device
        missing = x.isnan()
        x = torch.nan_to_num(x, nan=0.0)
        out = torch.zeros(len(x), len(lay.order), device=dev, dtype=self.params.dtype)
        terms: dict[str, Tensor] = {}
        if lay.cat_x.numel() and len(lay.cat_p):
            onehot = x[:, lay.cat_x.to(dev)] * lay.cat_valid.to(dev)
            logp = torch.log_softmax(self.cat_logits, -1).masked_fill(~lay.cat_valid.to(dev), 0.0)
            terms["categorical"] = torch.where(missing[:, lay.cat_x[:, 0].to(dev)], 0.0,
                                               (onehot * logp).sum(-1))
        if len(lay.bool_x):
            xb = x[:, lay.bool_x.to(dev)]
            lp = -F.binary_cross_entropy_with_logits(self.bool_logits, xb, reduction="none")
            terms["boolean"] = torch.where(missing[:, lay.bool_x.to(dev)], 0.0, lp)
        if len(lay.alpha):
            value = self._cont_value(x)  # (B, Ccont)
            u = (value[..., None] - self.mu) / (4 * self.sd)  # every mode's normalization
            log_n = -0.5 * (LOG_2PI + ((u - self.a) * torch.exp(-self.log_s)) ** 2) - self.log_s
            lp = torch.logsumexp(torch.log_softmax(self.mode_logits, -1) + log_n
                                 - torch.log(4 * self.sd), -1)
            weight, center, scale = self._broad()
            if weight > 0:
                broad = torch.distributions.Normal(center, scale)
                lp = torch.logaddexp(lp + math.log1p(-weight),
                                     broad.log_prob(value) + math.log(weight))
            terms["continuous"] = torch.where(missing[:, lay.alpha.to(dev)], 0.0, lp)
        for j, (kind, i) in enumerate(lay.order):
            out[:, j] = terms[kind][:, i]
        return out

    def _rows(self, cat: Tensor, boolean: Tensor, mode: Tensor, alpha: Tensor) -> Tensor:
        """Assemble (B, D) rows: categorical block values (B, Ccat, Cmax), booleans (B, Cbool),
        continuous modes (B, Ccont) and alpha (B, Ccont)."""
        lay, dev = self.layout, self.params.device
        rows = torch.zeros(len(self.params), lay.width, device=dev, dtype=self.params.dtype)
        if len(lay.cat_p):
            valid = lay.cat_valid.to(dev)
            rows[:, lay.cat_x.to(dev)[valid]] = cat[:, valid]
        if len(lay.bool_x):
            rows[:, lay.bool_x.to(dev)] = boolean
        if len(lay.alpha):
            rows[:, lay.alpha.to(dev)] = alpha
            pos = lay.modes.to(dev).expand(len(rows), -1, -1).gather(-1, mode[..., None]).squeeze(-1)
            rows.scatter_(1, pos, 1.0)
        return rows

    def _broad(self) -> tuple[float, Tensor, Tensor]:
        """The outlier component: its weight, centre and scale per continuous column."""
        weight, scale = self.outlier
        dev = self.params.device
        return weight, self.layout.center.to(dev), scale * self.layout.spread.to(dev)

    def _expressed(self, value: Tensor) -> tuple[Tensor, Tensor]:
        """(mode, alpha), each (B, Ccont): every continuous value in its most probable fitted
        mode, as the codec encodes the data. The value is the same in any mode, but a value
        written in a far mode (a spike of an integer column) has |alpha| in the hundreds, which
        no encoder saw in training."""
        lw = self.layout.log_w.to(value.device)
        log_r = lw - torch.log(self.sd) - 0.5 * ((value[..., None] - self.mu) / self.sd) ** 2
        mode = log_r.argmax(-1)
        mu, sd = (t.expand(len(mode), -1, -1).gather(-1, mode[..., None]).squeeze(-1)
                  for t in (self.mu, self.sd))
        return mode, (value - mu) / (4 * sd)

    def log_prob_observed(self, x: Tensor) -> Tensor:
        """log p(x_observed | z): (B,) nats; a NaN cell is missing and left out."""
        return self.log_prob(x)

    def value_mixture(self) -> tuple[Tensor, Tensor, Tensor]:
        """Each continuous column's p(x|z) as a Gaussian mixture over its value in its own units:
        (log weights, means, standard deviations), each (B, Ccont, K + 1), the fitted modes then
        the broad outlier component (weight 0 when there is none)."""
        weight, center, scale = self._broad()
        log_pi = torch.log_softmax(self.mode_logits, -1) + math.log1p(-weight)
        far = torch.full_like(log_pi[..., :1], math.log(weight) if weight > 0 else -math.inf)
        mean = self.mu + 4 * self.sd * self.a
        sd = 4 * self.sd * torch.exp(self.log_s)
        return (torch.cat([log_pi, far], -1),
                torch.cat([mean, center.expand_as(mean[..., 0])[..., None]], -1),
                torch.cat([sd, scale.expand_as(sd[..., 0])[..., None]], -1))

    def put_values(self, x: Tensor, values: Tensor) -> Tensor:
        """Rows x (B, D) with each continuous column's value set to ``values`` (B, Ccont) in its
        units where that is not NaN (written in its most probable fitted mode, as the data are)."""
        lay, dev = self.layout, x.device
        keep = torch.isnan(values)
        mode, alpha = self._expressed(torch.nan_to_num(values).to(x.dtype))
        out, valid = x.clone(), lay.mode_valid.to(dev)
        at = lay.modes.to(dev)[valid]  # (P,) every real mode's place in the row
        onehot = F.one_hot(mode, lay.modes.shape[1]).to(x.dtype)[:, valid]  # (B, P)
        out[:, at] = torch.where(keep[..., None].expand(-1, -1, valid.shape[1])[:, valid],
                                 x[:, at], onehot)
        out[:, lay.alpha.to(dev)] = torch.where(keep, x[:, lay.alpha.to(dev)], alpha)
        return out

    @property
    def mean(self) -> Tensor:
        """Category probabilities, P(true), and each continuous column's mean E[x] expressed in
        its most probable mode."""
        pi = torch.softmax(self.mode_logits, -1)
        weight, center, _ = self._broad()
        value = (1 - weight) * (pi * (self.mu + 4 * self.sd * self.a)).sum(-1) + weight * center
        return self._rows(torch.softmax(self.cat_logits, -1).nan_to_num(0.0),
                          torch.sigmoid(self.bool_logits), *self._expressed(value))

    def mean_of(self, w: Tensor) -> Tensor:
        """E[x] under sum_k w_k p(x | z_k) (see ``FactorizedDist.mean_of``): category
        probabilities averaged, each number's expected value averaged in its own units."""
        k, b = w.shape
        rows = super().mean_of(w)
        if not len(self.layout.alpha):
            return rows
        log_pi, mean, _ = self.value_mixture()  # (K * B, Ccont, modes + 1)
        value = (log_pi.exp() * mean).sum(-1).reshape(k, b, -1)
        return self.put_values(rows, (w[..., None].to(value) * value).sum(0))

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        """One draw of every column: a category, a boolean, and a value of the continuous
        mixture (a mode and its normalized value, or rarely the broad outlier component)."""
        cat = torch.zeros_like(self.cat_logits)
        if cat.numel():
            cat = F.one_hot(_gumbel_argmax(self.cat_logits, generator), cat.shape[-1]).to(cat)
        dev = self.params.device
        u = torch.rand(self.bool_logits.shape, generator=generator, device=dev)
        boolean = (u < torch.sigmoid(self.bool_logits)).to(self.params.dtype)
        mode = _gumbel_argmax(self.mode_logits, generator)
        pick = mode[..., None]
        eps = torch.randn(mode.shape, generator=generator, device=dev)
        alpha = (self.a.gather(-1, pick).squeeze(-1)
                 + torch.exp(self.log_s.gather(-1, pick).squeeze(-1)) * eps)
        mu, sd = (t.expand(len(mode), -1, -1).gather(-1, pick).squeeze(-1) for t in (self.mu, self.sd))
        value = mu + 4 * sd * alpha
        weight, center, scale = self._broad()
        if weight > 0:
            far = torch.rand(mode.shape, generator=generator, device=dev) < weight
            value = torch.where(far, center + scale * torch.randn(mode.shape, generator=generator,
                                                                  device=dev), value)
        return self._rows(cat, boolean, *self._expressed(value))
