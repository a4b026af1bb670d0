"""Importance-weighted autoencoder (Burda et al. 2016): the same model as the VAE, trained on
the K-sample bound log (1/K) sum_k p(x, z_k) / q(z_k|x), which tightens as K grows.

The one new component is the ``iwae`` objective (``vaekit/objectives/iwae.py``); ``objective.k``
sets K (5 here, as in the paper's middle setting).
"""

from vaekit.variants.base import Variant, register_variant

IWAE = register_variant(Variant(
    name="iwae",
    summary="the VAE trained on the K-sample importance-weighted bound (objective.k)",
    defaults={"objective": {"name": "iwae", "k": 5}},
    new_component="objective iwae",
    paper="Burda et al. 2016",
))
