"""Latent samplers for generation: the model's prior, or an ex-post density fitted on the codes.

Each is registered (``sampler``: ``prior``, ``gmm``); ``vaekit sample RUN --sampler NAME`` picks
one, and the run context (``vaekit.artifacts.run_context``) fits, stores and reloads them.
"""

from vaekit.samplers.base import Sampler, decode_codes, posterior_means
from vaekit.samplers.labels import parse_label

__all__ = ["Sampler", "decode_codes", "parse_label", "posterior_means"]
