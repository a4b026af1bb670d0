"""Which likelihood a run trains with: ``auto`` settled from the data, or the config's own.

The resolved config is what the run stores, so it records the real choice.
"""

from __future__ import annotations

from vaekit.config.schema import Config
from vaekit.data import Dataset
from vaekit.data.likelihood_choice import choose_likelihood
from vaekit.errors import ConfigError


def resolve_likelihood(cfg: Config, ds: Dataset) -> Config:
    """``cfg`` with ``model.likelihood=auto`` (and ``data.binarize=auto``) replaced by the choice
    for ``ds``; naming the likelihood a source declares takes its declared options too (a table's
    column layout). Options the config gives win. Rows that are a table codec's blocks refuse any
    other likelihood: its numbers would not be log p(x) of the table. Any other config is
    returned as it is."""
    wanted, declared = cfg.model.likelihood, ds.likelihood
    if ds.codec is not None and declared is not None and wanted not in ("auto", declared[0]):
        raise ConfigError(f"model.likelihood {wanted!r}: the rows of {ds.name} are modelled by "
                          f"the {declared[0]!r} likelihood (set model.likelihood={declared[0]})")
    out = cfg.model_copy(deep=True)
    if wanted == "auto":
        name, args, binarize = choose_likelihood(ds, cfg.data.binarize)
        out.data.binarize = binarize  # type: ignore[assignment]
    elif declared is not None and wanted == declared[0]:
        name, args = declared
    else:
        return cfg
    out.model.likelihood_args = {**args, **cfg.model.likelihood_args}
    out.model.likelihood = name
    return out
