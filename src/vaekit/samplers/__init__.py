"""Latent samplers for generation: the model's prior, or an ex-post density fitted on the codes.

``vaekit sample RUN --sampler prior|gmm`` picks one; a fitted sampler is stored in the run folder
by ``vaekit.artifacts.sampler_files`` (safetensors + JSON, never pickle).
"""

from vaekit.samplers import gmm, prior  # noqa: F401
from vaekit.samplers.base import Sampler, decode_codes, posterior_means
from vaekit.samplers.gmm import GaussianMixtureSampler
from vaekit.samplers.labels import parse_label
from vaekit.samplers.prior import PriorSampler

__all__ = ["GaussianMixtureSampler", "PriorSampler", "Sampler", "decode_codes", "parse_label",
           "posterior_means"]
