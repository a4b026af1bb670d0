"""VQ-VAE (van den Oord et al. 2017): a grid of discrete codes from a learned codebook.

The new component is the vector-quantized latent (``vaekit/model/latents/vector_quantized.py``)
with its loss (``objective.name: vq``: reconstruction + codebook + ``objective.commitment``
0.25 * commitment; ``latent_args.ema: true`` updates the codebook by moving averages instead).
The code grid follows the encoder's last feature map: T = h*w positions (49 for the 7x7 map of a
28x28 image, 4 for 8x8 digits; ``model.latent_dim`` left unset derives it), each one of K = 128
codes of D = 8 numbers. Sampling needs the autoregressive prior over the code grid:
``vaekit train-prior RUN`` fits it, then ``vaekit sample RUN`` decodes its draws.
"""

from vaekit.variants.base import Variant, register_variant

VQ_VAE = register_variant(Variant(
    name="vq_vae",
    summary="vector-quantized code grid (K=128, D=8) with codebook/commitment losses; "
            "samples through an autoregressive prior (vaekit train-prior)",
    defaults={
        "model": {"arch": "conv", "channels": [16, 32], "latent": "vector_quantized",
                  "latent_dim": None, "latent_args": {"codebook_size": 128, "code_dim": 8}},
        "objective": {"name": "vq", "commitment": 0.25},
    },
    new_component="latent vector_quantized (with its objective vq and code prior)",
    paper="van den Oord et al. 2017",
))
