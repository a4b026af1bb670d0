"""The standard normal prior N(0, I)."""

from vaekit.dists.gaussian import StandardNormal
from vaekit.registry import register


@register("prior", "standard_normal")
def standard_normal(latent_dim: int) -> StandardNormal:
    return StandardNormal(latent_dim)
