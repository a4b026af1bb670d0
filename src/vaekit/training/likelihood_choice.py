"""Which likelihood a run trains with: the config's, or the one its data source declares."""

from __future__ import annotations

from vaekit.config.schema import Config
from vaekit.data import Dataset
from vaekit.errors import ConfigError


def resolve_likelihood(cfg: Config, ds: Dataset) -> Config:
    """``model.likelihood: auto``, or the name the source declares given without options, takes
    the source's ``Dataset.likelihood`` (name and likelihood_args, such as a table's column
    layout); the resolved config is what the run stores. A source that declares a likelihood
    (its rows are a codec's blocks) refuses any other one: its numbers would not be log p(x) of
    the data. Data without a declared likelihood leave the config unchanged."""
    if ds.likelihood is None:
        return cfg
    name, args = ds.likelihood
    wanted = cfg.model.likelihood
    if wanted not in ("auto", name):
        raise ConfigError(f"model.likelihood {wanted!r}: the rows of {ds.name} are modelled by "
                          f"the {name!r} likelihood (set model.likelihood={name})")
    if wanted == name and cfg.model.likelihood_args:
        return cfg
    out = cfg.model_copy(deep=True)
    out.model.likelihood, out.model.likelihood_args = name, dict(args)
    return out
