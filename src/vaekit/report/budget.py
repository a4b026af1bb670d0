"""How many pictures the report decodes: all of them, unless decoding is so slow (an
autoregressive decoder takes one network pass per pixel) that they would cost more than a
fraction of the training they report on.

The cost of one decoded image is measured on the report's first draws; the report then scales
every picture down together, to fit ``budget_seconds`` (at most a tenth of the run's training
time, and at most a minute), and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# The most a report spends decoding pictures, and the share of the training time it may take.
MAX_SECONDS = 60.0
TRAINING_SHARE = 0.1
# Below this the budget is not worth bounding (a run of a few seconds still gets its pictures).
MIN_SECONDS = 10.0


@dataclass(frozen=True)
class PicturePlan:
    """The counts of each picture: sample draws, reconstructions, interpolation pairs (each
    ``steps`` images, linear and spherical), traversal rows of ``traversal_steps`` images, and
    the manifold's grid side (2-D latents). ``note``: what was cut, or empty."""

    samples: int = 64
    reconstructions: int = 32
    pairs: int = 6
    steps: int = 10
    traversal_dims: int = 16
    traversal_steps: int = 9
    manifold: int = 20
    note: str = ""

    def images(self, latent_dim: int) -> int:
        """Images decoded for this plan (the manifold only for a 2-D latent)."""
        dims = min(self.traversal_dims, latent_dim)
        return (self.samples + self.reconstructions + 2 * self.pairs * self.steps
                + dims * self.traversal_steps + (self.manifold**2 if latent_dim == 2 else 0))


FULL = PicturePlan()


def budget_seconds(training_seconds: float) -> float:
    """What the pictures may cost: a tenth of the training time, between 10 s and a minute."""
    return min(MAX_SECONDS, max(MIN_SECONDS, TRAINING_SHARE * training_seconds))


def plan_pictures(seconds_per_image: float, latent_dim: int, budget: float) -> PicturePlan:
    """The full plan when it fits ``budget`` seconds at ``seconds_per_image``; else every count
    scaled by the same factor (each kept at a minimum that still shows something)."""
    full_cost = seconds_per_image * FULL.images(latent_dim)
    if full_cost <= budget:
        return FULL
    f = budget / full_cost
    plan = replace(
        FULL, samples=max(8, round(FULL.samples * f / 8) * 8),
        reconstructions=max(8, round(FULL.reconstructions * f / 8) * 8),
        pairs=max(1, round(FULL.pairs * f)), steps=max(4, round(FULL.steps * f**0.5)),
        traversal_dims=max(2, round(FULL.traversal_dims * f**0.5)),
        traversal_steps=max(5, round(FULL.traversal_steps * f**0.5)),
        manifold=max(5, round(FULL.manifold * f**0.5)))
    note = (f"Decoding one image takes {seconds_per_image:.2f} s here, so the pictures are cut to "
            f"fit {budget:.0f} s (a tenth of the training time, at most a minute): "
            f"{plan.samples} samples, {plan.reconstructions} reconstructions, {plan.pairs} "
            f"interpolation pair(s) of {plan.steps} steps, {plan.traversal_dims} traversal rows of "
            f"{plan.traversal_steps}; the commands named under each picture draw the full ones.")
    return replace(plan, note=note)
