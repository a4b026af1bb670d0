"""The deterministic autoencoder baseline: z = f(x), trained on reconstruction alone.

The one new part is the deterministic latent (``vaekit/model/latents/deterministic.py``), a
point mass at f(x) with no KL, and its reconstruction-only objective ``ae``. It has no prior to
sample from: ``vaekit sample`` fits a density on the codes (``--sampler gmm``, Ghosh et al. 2020).
Its reported loss is the reconstruction NLL -log p(x|f(x)), not a bound on log p(x).
"""

from vaekit.variants.base import Variant, register_variant

AE = register_variant(Variant(
    name="ae",
    summary="deterministic autoencoder, reconstruction only; samples via an ex-post GMM",
    defaults={"model": {"latent": "deterministic"}, "objective": {"name": "ae"}},
    new_component="latent deterministic (with its reconstruction-only objective ae)",
))
