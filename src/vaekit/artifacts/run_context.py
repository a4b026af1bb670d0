"""One way to open a run: its config, its model with whatever prior it carries, and its data
prepared exactly as training saw it.

The CLI, the report, the explorer, evaluation and the samplers all open a run through
:class:`RunContext`, so they agree on the binarization, the labels and the sampler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import torch

from vaekit import registry
from vaekit.artifacts.prior_files import attach_fitted_prior
from vaekit.artifacts.sampler_files import load_sampler, save_sampler
from vaekit.config.schema import Config
from vaekit.data import SPLITS, Dataset, heldout_tensor, load_data
from vaekit.data.modalities import Modality, modality
from vaekit.data.spec import DataSpec
from vaekit.data.table_codec import TableCodec, load_codec
from vaekit.dists.priors.code_mixture import components_for
from vaekit.errors import RunError, UserError
from vaekit.eval.data import Split, describe_binarization, prepare
from vaekit.model.vae import VAE
from vaekit.samplers.base import Sampler, posterior_means
from vaekit.store.eval_file import EVAL_FILE, read_eval
from vaekit.store.metrics import read_metrics
from vaekit.store.model_files import load_model as load_trained
from vaekit.store.model_files import read_run_config, weights_digest


def load_model(run: str | Path, device: str | torch.device = "cpu") -> VAE:
    """The model of a run folder with the prior it carries (one fitted after training too)."""
    model = load_trained(run, device)
    attach_fitted_prior(model, run)
    return model


@dataclass
class RunContext:
    """An opened run folder. ``raw``: config.json as stored (``data`` holds classes, columns,
    column_mean/std or a table codec...)."""

    path: Path
    config: Config
    raw: dict[str, Any]
    model: VAE
    prior_fitted: bool = False  # a prior fitted after training replaced the trained one
    _splits: dict[str, Split] = field(default_factory=dict, repr=False)
    # Fitted samplers by (name, components): a run's rows drawn in many chunks read (or fit) the
    # mixture once, not once per chunk.
    _fitted: dict[tuple[str, int], Sampler] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: str | Path, device: str | torch.device = "cpu",
             model: VAE | None = None) -> RunContext:
        """Open RUN (RunError with one line when it is missing or damaged). ``model``: the run's
        model when it is already in memory (at the end of training)."""
        path = Path(path)
        cfg, raw = read_run_config(path)
        if model is None:
            model = load_trained(path, device)
        fitted = attach_fitted_prior(model, path)
        model.config = cfg
        return cls(path, cfg, raw, model, fitted)

    # -- what the run is ---------------------------------------------------------------------
    @property
    def info(self) -> dict[str, Any]:
        """config.json's ``data`` entry as stored (what ``spec`` reads)."""
        return self.raw.get("data") or {}

    @cached_property
    def spec(self) -> DataSpec:
        """What the run's data are, from config.json alone (no data is read)."""
        return DataSpec.from_json(self.info)

    @cached_property
    def modality(self) -> Modality:
        """What the run's data are (image, table, counts): the name config.json stores, or for a
        run that stored none, the modality its model's example shape claims (RunError when the
        two disagree: a damaged config.json)."""
        shape = tuple(self.model.shape)
        found = modality(self.spec.kind, shape)
        if found.example_dims != len(shape):
            raise RunError(f"{self.path}: config.json says its data are {found.name} examples, "
                           f"but its model takes examples of shape {shape}")
        return found

    @property
    def conditional(self) -> bool:
        return self.model.conditioner is not None

    @property
    def classes(self) -> list[str] | None:
        return self.spec.classes

    def columns(self) -> list[str]:
        return list(self.spec.columns or [f"x{i}" for i in range(self.model.shape[0])])

    @cached_property
    def codec(self) -> TableCodec:
        """Tabular runs: the transform between a table and the model's rows that the run stored
        (standardized columns for runs made before mixed tables, and for 2-D arrays)."""
        return load_codec(self.info)

    def metrics(self) -> list[dict[str, str]]:
        return read_metrics(self.path / "metrics.csv")

    def evaluation(self) -> dict[str, Any] | None:
        """RUN/eval.json as written by ``vaekit evaluate``; None before the run is evaluated
        (RunError when the file is unreadable)."""
        return read_eval(self.path / EVAL_FILE)

    # -- its data, as training saw it --------------------------------------------------------
    @cached_property
    def dataset(self) -> Dataset:
        return load_data(self.config.data)

    @property
    def binarize(self) -> str:
        """How the model saw its inputs: the run's binarization for images, none for rows."""
        return self.modality.input_binarization(self.config.data.binarize)

    def split(self, name: str = "test") -> Split:
        """The ``test``, ``val`` or ``train`` split, preprocessed once and kept: ``x`` on the
        CPU, binarized as the run binarizes."""
        if name not in SPLITS:
            raise UserError(f"unknown split {name!r} (choose {', '.join(SPLITS)})")
        if name not in self._splits:
            stored, y = self.dataset.split(name)
            x = heldout_tensor(stored, self.binarize, self.model.device).cpu()
            self._splits[name] = Split(
                name, x, y, stored, self.dataset.name, describe_binarization(self.binarize),
                eight_bit=stored.dtype == torch.uint8 and self.binarize == "none",
                log_jacobian=self.dataset.log_jacobian, bits_per_dim=self.modality.bits_per_dim)
        return self._splits[name]

    def eval_data(self, split: str = "test", binarize: str | None = None) -> Split:
        """The split for ``vaekit.eval``: on the model's device, its values checked against the
        likelihood's support, ``binarize`` (None: the run's) in place of the run's
        binarization."""
        return prepare(self.model, self.dataset, split, binarize, self.model.device)

    # -- where generated codes come from -----------------------------------------------------
    def sampler(self, name: str = "auto", components: int | None = None,
                seed: int = 0) -> Sampler:
        """``prior``: the model's prior (one fitted on the codes after training when the run has
        it); ``gmm``: a mixture of ``components`` (None: the
        modality's ``code_components``, fewer for a small table) on the training split's
        posterior means, loaded from the run or fitted and saved there (once per context);
        ``auto``: the fitted prior when the run has one (a table run trained now), else what the
        modality draws from (``draws_from``: the prior for images, the mixture of posterior
        means for tables trained before), and that mixture for a model without a prior (an
        autoencoder)."""
        if name == "auto":  # a prior fitted on the codes after training is where they are
            name = "prior" if self.prior_fitted else (
                self.modality.draws_from if self.model.latent.caps.density else "gmm")
        if components is None:  # the modality's, with at least 20 training codes for each
            train_size = self.spec.sizes["train"] or self.modality.code_components * 20
            components = components_for(train_size, self.modality.code_components)
        if name == "prior":
            if self.model.latent.caps.fitted_prior and not self.prior_fitted:
                raise UserError(f"{self.path} has no prior fitted on its codes yet (its draws "
                                f"would be noise): run vaekit train-prior {self.path} first")
            return registry.get("sampler", "prior")(self.model)
        if (name, components) in self._fitted:
            return self._fitted[name, components]
        self._fitted[name, components] = self._fit_sampler(name, components, seed)
        return self._fitted[name, components]

    def _fit_sampler(self, name: str, components: int, seed: int) -> Sampler:
        """The run's saved ``name`` sampler of ``components`` when it was fitted to these
        weights, else one fitted now and saved."""
        options = {"components": components}
        digest = weights_digest(self.path)
        saved = load_sampler(self.path, name)
        if saved is not None and saved[1].get("model_sha256") == digest and saved[0].matches(options):
            return saved[0]
        train = self.split("train")
        codes = posterior_means(self.model, train.x, train.y if self.conditional else None)
        fitted = registry.get("sampler", name).fit(codes, components, seed)
        save_sampler(self.path, fitted, {"model_sha256": digest, "seed": seed,
                                         "fitted_on": "posterior means of the training split"})
        return fitted
