"""The worked example of the closed-form KL: q = N(0.5, 0.8^2) against p = N(0, 1), one dimension."""

import math

import torch

from vaekit.dists.gaussian import DiagGaussian, StandardNormal

q = DiagGaussian(mu=torch.tensor([[0.5]]), logvar=torch.tensor([[math.log(0.8**2)]]))
print(f"closed form: {q.kl().item():.4f} nats")  # 0.5 * (mu^2 + sigma^2 - log sigma^2 - 1)

torch.manual_seed(0)
z = q.rsample(100_000)  # (100000, 1, 1): z = mu + sigma * eps, eps ~ N(0, 1)
log_ratio = q.log_prob(z) - StandardNormal(1).log_prob(z)  # log q(z) - log p(z) per draw
print(f"Monte Carlo: {log_ratio.mean().item():.4f} nats from 100,000 draws")
