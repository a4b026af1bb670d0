"""The standard normal prior N(0, I)."""

from vaekit.dists.gaussian import StandardNormal
from vaekit.dists.priors.base import PriorContext
from vaekit.registry import register


@register("prior", "standard_normal")
def standard_normal(ctx: PriorContext) -> StandardNormal:
    return StandardNormal(ctx.latent_dim)
