"""The posterior of every example of a source, as the columns ``vaekit encode`` writes, a batch
at a time: a source larger than RAM streams from its file to the output file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from tqdm import tqdm

from vaekit.artifacts.apply_data import prepared_batches
from vaekit.artifacts.run_context import RunContext
from vaekit.data.examples import Examples
from vaekit.eval.data import Split
from vaekit.explore.encode import posterior_moments
from vaekit.model.vae import VAE


def _columns(model: VAE, batches: Iterable[Split], total: int, id_dtype: str,
             progress: bool | None) -> Iterator[dict[str, np.ndarray]]:
    with tqdm(total=total, unit="ex", disable=not progress if progress is not None else None,
              leave=False) as bar:
        for p in batches:
            mu, logvar = posterior_moments(model, p.x, p.y, len(p))
            columns = {"id": np.array(p.ids, dtype=id_dtype)}
            if p.y is not None:
                columns["label"] = p.y.numpy()
            columns["mu"] = mu.numpy()
            if logvar is not None:
                columns["logvar"] = logvar.numpy()
            yield columns
            bar.update(len(p))


def posterior_columns(ctx: RunContext, ex: Examples, batch_size: int,
                      progress: bool | None = False) -> Iterator[dict[str, np.ndarray]]:
    """Per batch of ``batch_size`` examples of ``ex``, in order: ``id``, ``label`` (when ``ex``
    has labels), ``mu`` (B, L) float32 and ``logvar`` (B, L) (absent for a posterior without
    variances, such as a code grid). The shape of ``ex`` is checked now (DataError), its values
    as each batch is prepared; ``progress``: a progress bar (None: on a terminal)."""
    batches = prepared_batches(ctx, ex, batch_size)
    # Every batch's ids in the width of the longest, as one array of all of them would have.
    id_dtype = f"<U{max(map(len, ex.ids))}"
    return _columns(ctx.model, batches, len(ex), id_dtype, progress)
