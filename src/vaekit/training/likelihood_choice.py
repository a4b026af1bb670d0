"""Which likelihood a run trains with: the config's, or the one its data source declares."""

from __future__ import annotations

from vaekit.config.schema import Config
from vaekit.data import Dataset
from vaekit.errors import ConfigError


def resolve_likelihood(cfg: Config, ds: Dataset) -> Config:
    """``model.likelihood: auto``, or the name the source declares, takes the source's
    ``Dataset.likelihood`` (name and likelihood_args, such as a table's column layout); options
    the config gives win over the declared ones. The resolved config is what the run stores. A
    source that declares a likelihood (its rows are a codec's blocks) refuses any other one: its
    numbers would not be log p(x) of the data. Data without a declared likelihood leave the
    config unchanged."""
    if ds.likelihood is None:
        return cfg
    name, args = ds.likelihood
    wanted = cfg.model.likelihood
    if wanted not in ("auto", name):
        raise ConfigError(f"model.likelihood {wanted!r}: the rows of {ds.name} are modelled by "
                          f"the {name!r} likelihood (set model.likelihood={name})")
    out = cfg.model_copy(deep=True)
    given = cfg.model.likelihood_args if wanted == name else {}
    out.model.likelihood, out.model.likelihood_args = name, {**args, **given}
    return out
