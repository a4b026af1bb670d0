"""vaekit: Variational Autoencoders that are correct, fast on a laptop CPU and honest about likelihoods.

    import vaekit
    run = vaekit.train({"data": {"name": "digits"}, "train": {"epochs": 5}}, out="runs/demo")
    model = vaekit.load("runs/demo")
    q = model.encode(x)          # posterior q(z|x); q.mean is the embedding
    x_mean = model.decode(q.mean).mean
    terms = vaekit.elbo_terms(model, x)   # per-example recon, kl (nats)
    scores = vaekit.score("runs/demo")   # per-example NLL, -ELBO, recon error, percentiles
    table = vaekit.rows("runs/table", n=1000)   # a table run's generated rows, a DataFrame
    adults = vaekit.rows("runs/table", n=1000, given=["age>=18"], constraints=["start<=end"])
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from vaekit.config.schema import Config
    from vaekit.eval.result import EvalResult
    from vaekit.model.vae import VAE
    from vaekit.store.run_dir import Run

__all__ = ["__version__", "elbo_terms", "evaluate", "load", "load_config", "rows", "score", "train"]


def load_config(source: Any = None, overrides: list[str] | None = None) -> Config:
    """A validated Config from a Config, a dict, a YAML path or None (defaults), plus overrides."""
    from vaekit.config.load import load_config as _load
    from vaekit.config.schema import Config

    if isinstance(source, Config):
        source = source.model_dump()
    if isinstance(source, (str, Path)):
        return _load(source, overrides)
    return _load(base=dict(source or {}), overrides=overrides)


def train(config: Any = None, out: str | Path | None = None, resume: bool = False,
          progress: bool | None = False, data: Any = None) -> Run:
    """Train a VAE; ``config`` as for :func:`load_config` (a table's data get the table defaults
    under the keys the config sets, ``vaekit.data.table_defaults``). ``data``: examples given
    from Python instead of ``data.path``: a numpy array or torch tensor (images (N, H, W) or
    (N, C, H, W), rows (N, D)) or a pandas DataFrame (a table); it is stored in the cache under
    its content's hash, so the run opens again from its config alone. Returns the Run (path,
    model, metrics)."""
    import time

    from vaekit.data.table_defaults import with_table_defaults
    from vaekit.training.trainer import train as _train

    if data is not None:
        config = _with_data(config, data)
    if isinstance(config, dict):
        config = with_table_defaults(config)

    out = out or Path("runs") / time.strftime("%Y%m%d-%H%M%S")
    return _train(load_config(config), out, resume=resume, progress=progress)


def _with_data(config: Any, data: Any) -> dict[str, Any]:
    """``config`` (None, a dict or a config file) as a dict whose data section names the file
    that holds ``data``."""
    from vaekit.config.load import read_yaml
    from vaekit.config.schema import DataConfig
    from vaekit.data import resolve_data_arg
    from vaekit.data.in_memory import stored

    raw = read_yaml(config) if isinstance(config, (str, Path)) else dict(config or {})
    section = dict(raw.get("data") or {})
    path = stored(data, DataConfig(cache_dir=section.get("cache_dir")))
    return {**raw, "data": {**section, **resolve_data_arg(str(path))}}


def load(run_dir: str | Path, device: str = "cpu") -> VAE:
    """The model of a run folder, from ``config.json`` + ``model.safetensors`` (and the prior
    fitted on its codes after training, ``prior.safetensors``, when there is one)."""
    from vaekit.artifacts.run_context import load_model

    return load_model(run_dir, device)


def elbo_terms(model: VAE, x: Any) -> Any:
    """ELBO terms of a batch x (B, *shape) float: ``.recon``, ``.kl``, ``.elbo`` per example, nats."""
    from vaekit.objectives.elbo import elbo_terms as _terms

    return _terms(model, x)


def evaluate(model: VAE | Run | str | Path, data: Any = None, k: int = 1000, split: str = "test",
             batch_size: int = 500, seed: int = 0, binarize: str | None = None) -> EvalResult:
    """Honest likelihoods of a model, Run or run folder on a whole split, nats per example.

    ``data``: None (the run's own data set), a Dataset, or a tensor (N, *shape) of uint8 pixels
    or floats; ``binarize`` defaults to the run's choice. Returns an EvalResult: ``elbo`` (with
    ``recon``, ``kl``), ``nll`` = -IW bound with k samples, standard errors, ``bits_per_dim`` and
    its convention, ``kl_per_dim``, ``active_units``, ``mi``, ``mse``; ``.to_dict()`` is eval.json.
    """
    from vaekit.eval.evaluate import evaluate as _evaluate
    from vaekit.store.run_dir import Run as _Run

    if isinstance(model, (str, Path)):
        from vaekit.artifacts.run_context import RunContext

        model = RunContext.open(model).model
    elif isinstance(model, _Run):
        model.model.config = model.config  # the data and binarization of the run
        model = model.model
    return _evaluate(model, data, k=k, split=split, batch_size=batch_size, seed=seed,
                     binarize=binarize)


def score(run: str | Path, data: str | None = None, split: str = "test", k: int = 100,
          seed: int = 0, batch_size: int = 500) -> Any:
    """Per-example anomaly scores of a run folder on ``data`` as a pandas DataFrame, the table
    ``vaekit score`` writes: ``id``, ``label`` (when the source has labels), ``nll`` (-IW bound
    with ``k`` samples, nats), ``neg_elbo``, ``recon_error``, and ``<score>_pct``, each score's
    percentile on the run's held-out split. ``data``: None (the run's own ``split``), a
    built-in data set, or a file or image folder (every example, in order)."""
    import pandas as pd

    from vaekit.artifacts.run_context import RunContext
    from vaekit.artifacts.scores import score as _score

    return pd.DataFrame(_score(RunContext.open(run), data, split, k, seed, batch_size))


def rows(run: str | Path, n: int = 100, seed: int = 0, temperature: float = 1.0,
         mean: bool = False, given: str | list[str] | tuple[str, ...] = (),
         constraints: str | list[str] | tuple[str, ...] = (), k: int = 256,
         sampler: str = "auto") -> Any:
    """n generated rows of a table run folder as a pandas DataFrame, the table ``vaekit rows``
    writes: the original column names, types, categories, words and units, missing cells where
    the model draws them. ``mean``: the mean row of each z instead of a draw of p(x|z);
    ``sampler``: where z comes from (``auto``: a mixture fitted on the training rows' codes;
    ``prior``: the model's prior).

    ``given`` and ``constraints``: clauses as ``--given`` and ``--constraint`` take them
    (``"kind=a"``, ``"price<1000"``, ``"start<=end"``): the rows are draws of the model's
    conditional, with ``k`` importance draws of z per row, and ``frame.attrs["conditional"]``
    says how they were drawn: ``ess_median``/``ess_min`` (effective sample size), ``broken``
    (the estimated share of rows drawn under the conditions alone that would break the
    constraints) and ``accepted`` (the share of importance draws meeting the checked clauses).
    """
    from vaekit.artifacts.run_context import RunContext
    from vaekit.report.pictures import sample_rows

    ctx = RunContext.open(run)
    if not given and not constraints:
        return sample_rows(ctx, n, seed, temperature, stochastic=not mean, sampler=sampler)
    from vaekit.artifacts.conditional import conditional_rows, summary
    from vaekit.artifacts.constraints import region
    from vaekit.errors import UserError

    if mean or temperature != 1.0:
        raise UserError("given and constraints draw rows from the model's conditional: they "
                        "take neither mean nor temperature")
    # A single clause may come as a string (not as its characters).
    reg = region(ctx.codec, (given,) if isinstance(given, str) else tuple(given),
                 (constraints,) if isinstance(constraints, str) else tuple(constraints))
    done = conditional_rows(ctx, reg, n, seed, k)
    done.values.attrs["conditional"] = summary(reg, [done])
    return done.values
