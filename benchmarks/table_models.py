"""The generators the table suite compares, each behind one function: train on the training rows,
then generate ``n`` rows; with the seconds (wall and process CPU) of training and of sampling.

``budget``: CPU seconds of training per model (the process's CPU clock, ``time.process_time``,
on the threads of the run), so that a machine loaded by other work gives each model the same
computation: vaekit stops at its own ``train.max_minutes``, its budget's clock read as CPU time
for the run (``vaekit.training.budget``'s clock is swapped for the CPU clock); TVAE and CTGAN stop
after the epoch in which it runs out (their epoch loop is cut there). Each model keeps its own
epochs as the upper bound. ``epochs``: the
same number of epochs for all instead of each model's default. The copula has no training loop.

Each returns a ``Fitted``: the rows, the seconds, and the trained model's ``given`` (rows drawn
under a condition of ``table_conditional``) and, for vaekit alone, ``impute`` (gaps filled).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

from benchmarks.gaussian_copula import GaussianCopula
from benchmarks.table_conditional import Condition, by_rejection
from benchmarks.table_data import numeric_columns

MISSING = "<missing>"
GIVEN_K = 256  # importance draws of z per row vaekit draws under a condition (vaekit rows' default)


@dataclass
class Fitted:
    """A trained model's ``rows`` (a DataFrame) and ``info`` (epochs, seconds, ...);
    ``given(cond, n, seed)``: n rows drawn under a ``Condition`` and how many rows were drawn
    for them; ``impute(gapped)``: the rows with their missing cells filled, or None for a
    model that cannot fill gaps."""

    rows: Any
    info: dict[str, Any]
    given: Callable[[Condition, int, int], tuple[Any, int]]
    impute: Callable[[Any], Any] | None = None


class Clock:
    """Wall and process-CPU seconds of a block: ``with clock: ...``, then ``clock.seconds()``."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def seconds(self, prefix: str) -> dict[str, float]:
        return {f"{prefix}_wall_s": round(self.wall, 2), f"{prefix}_cpu_s": round(self.cpu, 2)}


class _Epochs:
    """Stands in for the ``tqdm`` over a ctgan model's epochs: yields them until ``budget`` CPU
    seconds have passed since the first one began (at least one epoch), counting them."""

    def __init__(self, budget: float | None) -> None:
        self.budget, self.done = budget, 0

    def __call__(self, iterable: Any, **_: Any) -> _Epochs:
        self.iterable = iterable
        return self

    def __iter__(self) -> Iterator[Any]:
        start = time.process_time()
        for epoch in self.iterable:
            if self.done and self.budget is not None and time.process_time() - start >= self.budget:
                return
            self.done += 1
            yield epoch

    def set_description(self, *_: Any) -> None:
        """The progress text the ctgan loop writes when verbose: unused."""


@contextmanager
def _budgeted(module: str, budget: float | None) -> Iterator[_Epochs]:
    epochs = _Epochs(budget)
    with mock.patch(f"ctgan.synthesizers.{module}.tqdm", epochs):
        yield epochs


def _without_missing(train: Any) -> tuple[Any, dict[str, float]]:
    """The rows as ctgan takes them (no missing cells), as SDV gives them to it: a missing
    category becomes the category ``MISSING``; a number column with missing cells gets its mean
    there and a 0/1 category column ``<name>.missing`` that marks them."""
    out, means = train.copy(), {}
    for c in train.columns:
        if not train[c].isna().any():
            continue
        if c in set(numeric_columns(train)):
            means[c] = float(train[c].mean())
            out[c] = train[c].fillna(means[c])
            out[f"{c}.missing"] = train[c].isna().astype(int).astype(str)
        else:
            out[c] = train[c].fillna(MISSING)
    return out, means


def _with_missing(fake: Any, columns: list[str], means: dict[str, float]) -> Any:
    """Generated rows with their missing cells back, in the original ``columns``."""
    import numpy as np

    out = fake.replace(MISSING, np.nan)
    for c in means:
        out[c] = out[c].where(out[f"{c}.missing"].astype(str) != "1", np.nan)
    return out[columns]


def _ctgan(kind: str, train: Any, n: int, budget: float | None, epochs: int | None,
           seed: int, work: Path) -> Fitted:
    import numpy as np
    import torch
    from ctgan import CTGAN, TVAE

    torch.manual_seed(seed)
    np.random.seed(seed)
    cls, module = (TVAE, "tvae") if kind == "tvae" else (CTGAN, "ctgan")
    model = cls(enable_gpu=False, **({"epochs": epochs} if epochs else {}))
    rows, means = _without_missing(train)
    discrete = [c for c in rows.columns if c not in set(numeric_columns(rows))]
    with _budgeted(module, budget) as done, Clock() as fit:
        model.fit(rows, discrete_columns=discrete)
    columns = list(train.columns)
    with Clock() as draw:
        fake = _with_missing(model.sample(n), columns, means)

    def plain(m: int, seed: int) -> Any:
        torch.manual_seed(seed)
        return _with_missing(model.sample(m), columns, means)

    def given(cond: Condition, m: int, seed: int) -> tuple[Any, int]:
        """CTGAN's own conditional sampler for a category (its condition vector set to it:
        likelier, not certain); TVAE (which has none) and a range: plain rows kept by
        rejection."""
        if kind == "tvae" or cond.op != "=":
            return by_rejection(plain, cond, m, seed)
        torch.manual_seed(seed)
        rows = model.sample(m, condition_column=cond.column, condition_value=cond.value)
        return _with_missing(rows, columns, means), m

    return Fitted(fake, {"epochs": done.done, **fit.seconds("train"), **draw.seconds("sample")},
                  given)


def tvae(*args: Any) -> Fitted:
    """SDV's TVAE (the ``ctgan`` package), its defaults."""
    return _ctgan("tvae", *args)


def ctgan(*args: Any) -> Fitted:
    """SDV's CTGAN (the ``ctgan`` package), its defaults."""
    return _ctgan("ctgan", *args)


def copula(train: Any, n: int, budget: float | None, epochs: int | None, seed: int,
           work: Path) -> Fitted:
    """The Gaussian copula of ``benchmarks.gaussian_copula`` (no epochs, no budget; conditional
    rows by rejection)."""
    with Clock() as fit:
        model = GaussianCopula().fit(train, seed)
    with Clock() as draw:
        fake = model.sample(n, seed)
    return Fitted(fake, {"epochs": None, **fit.seconds("train"), **draw.seconds("sample")},
                  lambda cond, m, s: by_rejection(model.sample, cond, m, s))


def vaekit_defaults(train: Any, n: int, budget: float | None, epochs: int | None, seed: int,
                    work: Path, objective: dict[str, Any] | None = None) -> Fitted:
    """vaekit with its table defaults, given the rows as a DataFrame (it holds out its own test
    and validation rows from them); ``nll``: its held-out NLL of the rows in their own units
    (nats per row, IW bound k=100, on its own test split, under the run's prior); ``active_units``
    of ``latent_dim`` on that split. ``objective``: objective options set over the defaults (a
    variant compared on the development tables)."""
    import vaekit

    settings: dict[str, Any] = {}
    if epochs:
        settings["epochs"] = epochs
    if budget:
        settings["max_minutes"] = budget / 60
    config = {"data": {"cache_dir": str(work / "cache")}, **({"train": settings} if settings else {}),
              **({"objective": objective} if objective else {})}
    cpu_clock = SimpleNamespace(perf_counter=time.process_time)
    with mock.patch("vaekit.training.budget.time", cpu_clock), Clock() as fit:
        run = vaekit.train(config, out=work / "vaekit", data=train)
    with Clock() as draw:
        fake = vaekit.rows(run.path, n=n, seed=seed)
    result = vaekit.evaluate(run.path, k=100, seed=seed)
    info = {"epochs": int(run.metrics[-1]["epoch"]), **fit.seconds("train"),
            **draw.seconds("sample"), "nll": round(float(result.nll), 3),
            "nll_se": round(float(result.nll_se), 3), "nll_k": 100,
            "active_units": result.active_units, "latent_dim": result.latent_dim}

    def given(cond: Condition, m: int, seed: int) -> tuple[Any, int]:
        """Draws of the model's conditional (``vaekit rows --given``, 256 importance draws)."""
        return vaekit.rows(run.path, n=m, seed=seed, given=cond.text, k=GIVEN_K), m

    return Fitted(fake, info, given, partial(vaekit_impute, run.path, work / "impute.csv"))


def vaekit_impute(run: Path, scratch: Path, gapped: Any, seed: int = 0) -> Any:
    """``gapped`` (a DataFrame, NaN where missing) filled as ``vaekit impute --method mean``
    fills a table file: E[missing | observed] under the model, each number its conditional mean
    in its own units, each category (and yes/no) the most probable one; observed cells kept.
    An observed category the training rows never had (a holdout row's rare class) is one the
    model cannot condition on (``vaekit impute`` refuses it): it is handed over as missing and
    written back as it was."""
    from vaekit.artifacts.imputation import How, impute_examples
    from vaekit.artifacts.run_context import RunContext

    ctx = RunContext.open(run)
    unseen = {spec.name: gapped[spec.name].notna()
              & ~gapped[spec.name].astype(str).isin(spec.vocabulary)
              for spec in ctx.codec.specs
              if spec.kind == "categorical" and not spec.bucketed and spec.name in gapped}
    given = gapped.copy()
    for name, cells in unseen.items():
        given.loc[cells, name] = float("nan")
    given.to_csv(scratch, index=False)
    filled = impute_examples(ctx, str(scratch), None, How(method="mean", seed=seed)).values
    for name, cells in unseen.items():
        filled[name] = filled[name].astype(object)
        filled.loc[cells.to_numpy(), name] = gapped.loc[cells, name].to_numpy()
    return filled


MODELS: dict[str, Callable[..., Fitted]] = {
    "vaekit": vaekit_defaults,
    "tvae": tvae, "ctgan": ctgan, "copula": copula,
    # TabSyn's KL weight, adapted to the validation reconstruction: a variant of the defaults
    # compared on the development tables (not run unless named).
    "vaekit_adaptive": partial(vaekit_defaults,
                               objective={"kl_schedule": "adaptive", "beta_min": 0.01})}
# What a run of the suite trains unless --models names others.
SUITE_MODELS = ["vaekit", "tvae", "ctgan", "copula"]
