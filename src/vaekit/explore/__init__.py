"""Pure functions that turn a model into pictures and codes (tensors in, tensors out).

For notebooks: ``from vaekit.explore import lerp, slerp, interpolation_paths, traverse,
latent_stats, embed_2d, manifold, column_errors, sample_images``. Nothing here
writes files. (Imported eagerly: ``traverse`` and ``manifold`` are both a module and a function,
and the function must win.)
"""

from vaekit.explore.images import reconstruction_pairs, sample_images
from vaekit.explore.interpolate import interpolation_paths, lerp, slerp
from vaekit.explore.latent_map import embed_2d, subsample
from vaekit.explore.manifold import manifold, quantile_grid
from vaekit.explore.tabular import ColumnError, column_errors
from vaekit.explore.traverse import LatentStats, latent_stats, traversal_codes, traverse

__all__ = [
    "ColumnError", "LatentStats", "column_errors", "embed_2d", "interpolation_paths",
    "latent_stats", "lerp", "manifold", "quantile_grid", "reconstruction_pairs", "sample_images",
    "slerp", "subsample", "traversal_codes", "traverse",
]
