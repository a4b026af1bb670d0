"""The plain VAE (Kingma & Welling 2014): Gaussian posterior, N(0, I) prior, the ELBO."""

from vaekit.variants.base import Variant, register_variant

VAE = register_variant(Variant(
    name="vae",
    summary="Gaussian q(z|x), N(0, I) prior, trained on the ELBO (beta = 1)",
    defaults={},
    paper="Kingma & Welling 2014",
))
