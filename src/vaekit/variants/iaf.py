"""IAF VAE (Kingma et al. 2016): the VAE with an inverse autoregressive flow as q(z|x).

The one new component is the latent ``iaf`` (``vaekit/model/latents/iaf.py``): MADE steps on a
Gaussian base, each draw carrying its log-density; the KL is the Monte Carlo estimate at the
reconstruction's draw.
"""

from vaekit.variants.base import Variant, register_variant

IAF = register_variant(Variant(
    name="iaf",
    summary="inverse autoregressive flow posterior: MADE steps on a Gaussian q(z|x)",
    defaults={"model": {"latent": "iaf", "latent_args": {"steps": 2, "hidden": 128}}},
    new_component="latent iaf",
    paper="Kingma et al. 2016",
))
