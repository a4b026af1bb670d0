"""The typed configuration of a run. Key names are a contract: scripts set them with --set."""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vaekit import registry
from vaekit.config.presets import FLAT, apply_variant, flat_options


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class _FlatSection(_Section):
    """A section whose component's options may be given flat (``FLAT[section]``)."""

    section: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _flat_options(cls, data: Any) -> Any:
        return flat_options(data, FLAT[cls.section], set(cls.model_fields))


class DataConfig(_FlatSection):
    """Where the data come from: a registered source (``name``) and its own options (``args``);
    the split, binarization and download settings apply to every source."""

    name: str = Field("digits", description="built-in source (digits, fashion-mnist, mnist, "
                      "cifar10) or a file kind (arrays, folder, table: a .csv or .parquet, "
                      "counts: a count matrix in .npy, .npz, .parquet or .h5ad)")
    path: str | None = Field(None, description="file or folder to read (arrays/folder/table), or "
                             "a folder holding a built-in data set's files")
    binarize: Literal["auto", "none", "threshold", "dynamic"] = Field(
        "auto", description="none; threshold at 0.5; dynamic = resample Bernoulli pixels each "
        "epoch; auto = dynamic for the bernoulli likelihood, none otherwise")
    test_fraction: float = Field(0.2, gt=0, lt=1, description="test fraction when a source "
                                 "has no official test split")
    split_seed: int = Field(0, ge=0, le=2**63 - 1, description="seed of the test and "
                            "validation splits (sources without their own)")
    val_size: int | float | Literal["auto"] | None = Field(
        "auto", description="the validation split, carved from the training split: what the "
        "per-epoch curve, early stopping and every choice read (test is left for vaekit "
        "evaluate). A count of examples, a fraction of the training split, or auto: the data "
        "set's published protocol (Fashion-MNIST and MNIST: the last 10,000 of the 60,000, "
        "CIFAR-10: the last 5,000), else a seeded 10%. null: none, the curve reads test (runs "
        "made before validation splits open so)")
    download: bool = Field(True, description="download built-in data sets that are not present")
    cache_dir: str | None = Field(None, description="download cache (default ~/.cache/vaekit)")
    args: dict[str, Any] = Field(default_factory=dict, description="options of the data source, "
                                 "also settable flat: folder takes image_size (resize to this "
                                 "square size) and color (auto: colour kept when present, grey, "
                                 "rgb); arrays takes mmap "
                                 "(memory-map a uint8 .npy instead of loading it); table takes "
                                 "columns ({name: continuous|integer|boolean|categorical|label|"
                                 "drop}, overriding the inferred types) and max_categories (the "
                                 "categories kept per categorical column, the most frequent; "
                                 "the rest share one 'other' bucket; default 1000); counts "
                                 "takes layer (the "
                                 "AnnData layer to read instead of X)")

    section = "data"

    @field_validator("val_size")
    @classmethod
    def _val_size(cls, v: Any) -> Any:
        if isinstance(v, bool) or (isinstance(v, int) and v < 1) or (
                isinstance(v, float) and not 0 < v < 1):
            raise ValueError("a count >= 1, a fraction in (0, 1), auto or null")
        return v


class ModelConfig(_FlatSection):
    """Each part is a registered name plus its own options (``<kind>_args``), bound to the
    part's builder. An architecture's options may also be given flat (``model.hidden``,
    ``model.channels``): they are moved into ``arch_args``."""

    arch: str = Field("mlp", description="architecture, a registered name (mlp, conv, ...; "
                      "see arch_args)")
    arch_args: dict[str, Any] = Field(default_factory=dict, description="options of the "
                                      "architecture, e.g. {hidden: [400]} (mlp; [] is linear) "
                                      "or {channels: [32, 64]} (conv); also settable "
                                      "flat as model.hidden, model.channels, ...")
    latent: str = Field("gaussian", description="latent component")
    latent_dim: int | None = Field(20, ge=1, le=512, description="latent dimension; null where "
                                   "the latent derives it (vector_quantized: the h*w positions "
                                   "of the encoder's last feature map)")
    likelihood: str = Field("auto", description="p(x|z), a registered name (bernoulli, "
                            "discretized_logistic, continuous_bernoulli, gaussian, ...) or auto: "
                            "the one that fits the data, chosen when it is loaded (Bernoulli for "
                            "binary or binarized images, discretized logistic for grey levels, "
                            "what a table's source declares, Gaussian for other rows)")
    likelihood_args: dict[str, Any] = Field(default_factory=dict, description="keyword arguments "
                                            "of the likelihood, e.g. {sigma: 0.1}")
    prior: str = Field("standard_normal", description="prior p(z), a registered name "
                       "(standard_normal, ...; latents with their own generative path, "
                       "hierarchical and vector_quantized, bring theirs)")
    prior_args: dict[str, Any] = Field(default_factory=dict, description="options of the prior, "
                                       "bound to its builder's signature")
    latent_args: dict[str, Any] = Field(default_factory=dict, description="keyword arguments "
                                        "of the latent, e.g. {codebook_size: 128, code_dim: 16} "
                                        "(vector_quantized) or {layers: [10]} (hierarchical)")
    variant: str = Field("vae", description="preset that fills the defaults of a named "
                         "composition: vae, beta_vae, cvae, iwae, ae, ... (see vaekit.variants)")
    conditioner: str | None = Field(None, description="label injection for a conditional model "
                                    "(cvae): onehot or embedding; null for none")
    num_classes: int = Field(10, ge=2, description="conditional models: number of class labels")
    label_dim: int = Field(16, ge=1, description="conditioner embedding: size of the label code")

    section = "model"


class ObjectiveConfig(_FlatSection):
    """The training objective: a registered name and its own options (``args``), bound to its
    builder. Its options may also be given flat (``objective.beta``, ``objective.k``): they are
    moved into ``args``. ``option(key)`` reads one, with the objective's default."""

    name: str = Field("elbo", description="training objective, a registered name (elbo, iwae, "
                      "hierarchical, capacity, vq, ae, ...)")
    args: dict[str, Any] = Field(default_factory=dict, description="options of the objective, "
                                 "also settable flat: elbo and hierarchical take beta (KL "
                                 "weight), free_bits (nats per dimension), kl_warmup_steps, "
                                 "kl_schedule (linear, cyclical, adaptive), kl_cycle_steps, "
                                 "beta_min, kl_decay, kl_patience (adaptive); iwae k, "
                                 "gradient (standard, dreg); "
                                 "capacity gamma, capacity_max, capacity_steps; vq commitment")

    section = "objective"

    def option(self, key: str, default: Any = None) -> Any:
        """``args[key]``, else the objective's own default, else ``default``."""
        if key in self.args:
            return self.args[key]
        value = registry.options("objective", self.name).get(key, default)
        return default if value is inspect.Parameter.empty else value


class TrainConfig(_Section):
    epochs: int | None = Field(None, ge=1, description="passes over the training split: 10 when "
                               "not given, unless max_minutes is set; then the budget ends the "
                               "run and epochs, if given, is an upper bound")
    batch_size: int = Field(128, ge=1, description="examples per step")
    optimizer: Literal["adam", "adamw", "adamax"] = Field(
        "adam", description="adam; adamw (Adam with decoupled weight decay); adamax (Adam with "
        "the infinity norm)")
    lr: float = Field(1e-3, gt=0, description="learning rate of the optimizer (the peak, after "
                      "warmup_steps)")
    weight_decay: float = Field(0.0, ge=0, description="weight decay as the optimizer defines "
                                "it: an L2 term in the gradient (adam, adamax) or decoupled from "
                                "it (adamw, where 0.01 is usual)")
    grad_clip: float | None = Field(None, gt=0, description="clip the gradient norm to this value")
    skip_grad_norm: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="skip a step whose gradient norm (the one "
        "grad_clip clips) exceeds this or is not finite: no update, counted as skipped_steps in "
        "metrics.csv (VDVAE); null: off")
    lr_schedule: Literal["constant", "cosine", "step", "wsd"] = Field(
        "constant", description="learning-rate decay, set at every optimizer step: constant; "
        "cosine to 0 at the end of the run (of max_minutes when set); step: halve every "
        "lr_step_epochs; wsd (warmup-stable-decay): constant, then linear to 0 over the last "
        "lr_decay_fraction of the run")
    warmup_steps: int = Field(0, ge=0, description="linear learning-rate warm-up over the first "
                              "optimizer steps, multiplying lr_schedule (0: off)")
    lr_step_epochs: int = Field(10, ge=1, description="step schedule: epochs between halvings")
    lr_decay_fraction: float = Field(0.2, gt=0, le=1, allow_inf_nan=False, description="wsd "
                                     "schedule: the last fraction of the run (of its epochs or "
                                     "max_minutes) over which the rate falls linearly to 0")
    ema: float | None = Field(
        None, gt=0, lt=1, allow_inf_nan=False, description="decay of an exponential moving "
        "average of the weights, updated after every optimizer step (e.g. 0.999; the n-th "
        "update uses min(ema, (1 + n) / (10 + n)), so a short run is not held at its initial "
        "weights). Held-out evaluation and model.safetensors use the average; "
        "model_raw.safetensors keeps the trained weights; null: off")
    max_minutes: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="time budget: stop when this many minutes "
        "of training (summed over resumes) are spent, after a validation score and a save; "
        "a cosine schedule runs over the budget (vaekit train --minutes)")
    early_stopping: int = Field(0, ge=0, description="stop after this many epochs without a "
                                "better validation loss (0: off)")
    checkpoint_steps: int | None = Field(
        None, ge=1, description="also save the checkpoint every this many optimizer steps into "
        "an epoch, so a run stopped inside a long epoch (a streamed table's) resumes at the "
        "batch where it was saved, exactly; the random draws are seeded anew at each of these "
        "steps; null: at the end of each epoch only")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="seed of initialization, data order and "
                      "sampling")
    device: str = Field("auto", description="auto (a GPU when torch sees one, else the CPU), cpu, "
                        "cuda or cuda:N")
    eval_batch_size: int = Field(1000, ge=1, description="batch size of the per-epoch "
                                 "validation score")
    heldout_size: int | None = Field(
        None, ge=1, description="validation examples scored after every epoch (the val_* "
        "columns of metrics.csv, early stopping): the first N of the validation split; null: all "
        "of it. A smaller N leaves more of a time budget to training; vaekit evaluate scores "
        "the whole split")
    precision: Literal["fp32", "bf16", "fp16"] = Field(
        "fp32", description="autocast of the forward pass: bf16 (CPU or GPU), fp16 (GPU, with a "
        "loss scaler)")
    track: list[str] = Field(default_factory=list, description="experiment trackers that also "
                             "log the run: tensorboard (RUN/tensorboard/), mlflow (see "
                             "tracking_uri); each is a pip extra, e.g. vaekit[tensorboard]")
    tracking_uri: str | None = Field(None, description="MLflow tracking URI (default: "
                                     "$MLFLOW_TRACKING_URI, else sqlite mlflow.db beside the run "
                                     "folder)")

    @model_validator(mode="after")
    def _default_epochs(self) -> TrainConfig:
        """10 epochs unless told otherwise; with a time budget and no epochs, the budget alone
        ends the run (runs record the choice: config.json holds the number or null)."""
        if self.epochs is None and self.max_minutes is None:
            self.epochs = 10
        return self


class Config(_Section):
    data: DataConfig = Field(default_factory=DataConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    objective: ObjectiveConfig = Field(default_factory=ObjectiveConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)

    @model_validator(mode="before")
    @classmethod
    def _apply_variant(cls, data: Any) -> Any:
        """Fill the defaults of ``model.variant`` (a registered preset) under the given keys."""
        if not isinstance(data, dict):
            return data
        return apply_variant(data)

