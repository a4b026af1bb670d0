"""Which likelihood a run trains with: ``auto`` settled from the data, or the config's own.

The resolved config is what the run stores, so it records the real choice.
"""

from __future__ import annotations

from typing import Any

from vaekit import registry
from vaekit.config.schema import Config
from vaekit.data import Dataset
from vaekit.data.likelihood_choice import choose_likelihood
from vaekit.data.modalities import modality
from vaekit.errors import ConfigError


def source_for_likelihood(cfg: Config) -> Config:
    """``cfg`` with its data read by the source of the modality a named likelihood models
    (its declared ``models``), where another source was to read them: a count likelihood reads an
    ``.npy`` of counts stored as floats as counts (the arrays source would standardize it), and
    a value in it that is no count is the counts source's error, naming the file, row and column."""
    if cfg.model.likelihood == "auto" or cfg.data.path is None:
        return cfg
    kind = getattr(registry.get("likelihood", cfg.model.likelihood), "models", None)
    sources = () if kind is None else modality(kind).file_sources
    if not sources or cfg.data.name in sources:
        return cfg
    out = cfg.model_copy(deep=True)
    out.data.name, out.data.args = sources[0], {}
    return out


def resolve_likelihood(cfg: Config, ds: Dataset) -> Config:
    """``cfg`` with ``model.likelihood=auto`` (and ``data.binarize=auto``) replaced by the choice
    for ``ds``; naming the likelihood a source declares takes its declared options too (a table's
    column layout), and naming another takes those of them it accepts (the digits' 17 grey
    levels for any likelihood with ``levels``). Options the config gives win. Rows that are a
    table codec's blocks refuse any other likelihood: its numbers would not be log p(x) of the
    table. ``data.binarize=auto`` with a named likelihood becomes ``dynamic`` for images if it is
    defined on {0, 1} only (its declared ``binary_only``), else ``none``. A config with nothing
    to settle is returned as it is."""
    wanted, declared = cfg.model.likelihood, ds.likelihood
    if modality(ds.kind).has_codec and declared is not None and wanted not in ("auto", declared[0]):
        raise ConfigError(f"model.likelihood {wanted!r}: the rows of {ds.name} are modelled by "
                          f"the {declared[0]!r} likelihood (set model.likelihood={declared[0]})")
    out = cfg.model_copy(deep=True)
    if wanted == "auto":
        name, args, binarize = choose_likelihood(ds, cfg.data.binarize)
        out.data.binarize = binarize  # type: ignore[assignment]
        out.model.likelihood_args = {**args, **cfg.model.likelihood_args}
        out.model.likelihood = name
    elif declared is not None:  # the declared options the named likelihood also takes
        accepted = registry.options("likelihood", wanted)
        taken = {k: v for k, v in declared[1].items() if wanted == declared[0] or k in accepted}
        out.model.likelihood_args = {**taken, **cfg.model.likelihood_args}
    if out.data.binarize == "auto":  # a named likelihood: binarize images it needs binary
        binary = modality(ds.kind).binarizes and _binary_only(out.model.likelihood,
                                                        out.model.likelihood_args)
        out.data.binarize = "dynamic" if binary else "none"
    return cfg if out == cfg else out


def _binary_only(name: str, args: dict[str, Any]) -> bool:
    """Whether likelihood ``name`` with ``args`` declares it is defined on {0, 1} only."""
    return bool(registry.get("likelihood", name)(**registry.bind("likelihood", name, args))
                .binary_only)
