"""``model.likelihood=auto``: the run's config gets the likelihood its data call for."""

from __future__ import annotations

from vaekit.config.schema import Config
from vaekit.data import Dataset
from vaekit.data.likelihood_choice import choose_likelihood


def resolve_likelihood(cfg: Config, ds: Dataset) -> Config:
    """``cfg`` with ``model.likelihood=auto`` (and ``data.binarize=auto``) replaced by the choice
    for ``ds``; the run then records the real choice. Options given in ``likelihood_args`` win
    over the chosen ones. Any other config is returned as it is."""
    if cfg.model.likelihood != "auto":
        return cfg
    name, args, binarize = choose_likelihood(ds, cfg.data.binarize)
    out = cfg.model_copy(deep=True)
    out.model.likelihood_args = {**args, **cfg.model.likelihood_args}
    out.model.likelihood = name
    out.data.binarize = binarize  # type: ignore[assignment]
    return out
