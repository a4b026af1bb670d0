"""Conditional VAE (Sohn et al. 2015): q(z|x, y) and p(x|z, y) with y a class label.

The one new component is the conditioner (``vaekit/model/conditioner.py``): it turns labels
(B,) into a code (B, E) (one-hot, or a learned embedding) that is concatenated to the encoder
features before the posterior head and to z before the decoder. Training, evaluation and
reconstruction use the data's labels; sampling needs a label per draw.
"""

from vaekit.variants.base import Variant, register_variant

CVAE = register_variant(Variant(
    name="cvae",
    summary="q(z|x,y), p(x|z,y): a one-hot label joined to encoder features and to z",
    defaults={"model": {"conditioner": "onehot", "num_classes": 10}},
    new_component="conditioner onehot|embedding",
    paper="Sohn et al. 2015",
))
