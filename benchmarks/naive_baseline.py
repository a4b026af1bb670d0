"""The framework-example way to train a VAE: a per-example Dataset and a DataLoader.

Written here as the baseline vaekit is measured against (same networks, loss and optimizer);
``bare=True`` gives the lower bound a hand-written loop reaches instead: batches sliced from the
preloaded tensor and a fused Adam, with nothing else.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


class Pixels(Dataset):
    """One example at a time, as float pixels / 255, like torchvision's ToTensor()."""

    def __init__(self, images: torch.Tensor) -> None:
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.images[i].float().div(255.0).view(-1)


class NaiveVAE(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.fc4(F.relu(self.fc3(z))), mu, logvar


def loss_sum(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor,
             logvar: torch.Tensor) -> torch.Tensor:
    """Summed -ELBO of the batch: BCE over pixels + closed-form KL (nats)."""
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


class NaiveTrainer:
    """Epoch by epoch, so a benchmark can interleave it with vaekit."""

    def __init__(self, train: torch.Tensor, seed: int, bare: bool = False) -> None:
        torch.manual_seed(seed)
        self.model = NaiveVAE()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3, fused=bare)
        self.gen = torch.Generator().manual_seed(seed)
        self.train, self.bare = train, bare
        self.loader = DataLoader(Pixels(train), batch_size=128, shuffle=True, generator=self.gen)

    def batches(self):
        if not self.bare:
            yield from self.loader
            return
        order = torch.randperm(len(self.train), generator=self.gen)
        for i in range(0, len(order), 128):
            yield self.train[order[i : i + 128]].float().div_(255.0).flatten(1)

    def epoch(self) -> float:
        """One epoch; returns its wall seconds."""
        self.model.train()
        t = time.perf_counter()
        for x in self.batches():
            logits, mu, logvar = self.model(x)
            loss = loss_sum(logits, x, mu, logvar) / len(x)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
        return time.perf_counter() - t

    @torch.no_grad()
    def test_loss(self, test: torch.Tensor) -> float:
        """Held-out -ELBO per example, nats (one sample per example)."""
        self.model.eval()
        x = test.float().div(255.0).view(len(test), -1)
        logits, mu, logvar = self.model(x)
        return float(loss_sum(logits, x, mu, logvar)) / len(x)
