"""The training loop: epochs of steps over a batch source, scored on the validation split and
checkpointed every epoch (and every ``train.checkpoint_steps`` steps inside one)."""

from __future__ import annotations

import contextlib
import itertools
import math
from pathlib import Path
from typing import Any

import torch
from torch.nn.parallel import DistributedDataParallel

from vaekit.config.schema import Config
from vaekit.data import Dataset, heldout_tensor, load_data
from vaekit.data.modalities import modality
from vaekit.data.source import epoch_seed as _seed
from vaekit.data.spec import DataSpec
from vaekit.errors import TrainingError
from vaekit.eval.elbo import evaluate_split
from vaekit.model.build import build_model
from vaekit.objectives import build_objective
from vaekit.resources import check_module
from vaekit.store.checkpoint import load_checkpoint, save_checkpoint
from vaekit.store.metrics import read_metrics, write_metrics
from vaekit.store.model_files import save_model
from vaekit.store.run_dir import (
    Run,
    RunLock,
    check_new_run_dir,
    claim_new_run_dir,
    clean_temporaries,
)
from vaekit.training import setup
from vaekit.training.budget import Budget
from vaekit.training.callbacks import call, default_callbacks, trackers
from vaekit.training.code_prior import BUDGET_SHARE, fit_code_prior, prior_to_fit
from vaekit.training.distributed import close_world, init_world, local_device
from vaekit.training.ema import EMA
from vaekit.training.likelihood_choice import resolve_likelihood, source_for_likelihood
from vaekit.training.loop import Update, run_epoch
from vaekit.training.partial import Partial
from vaekit.training.progress import Progress
from vaekit.training.step import LossModule, check_precision, grad_scaler


def train(cfg: Config, out: str | Path, resume: bool = False, progress: bool | None = None,
          callbacks: list[Any] | None = None) -> Run:
    """Train ``cfg`` into run folder ``out`` (or continue it with ``resume``); returns the Run.

    ``callbacks`` are added to the defaults (see ``vaekit.training.callbacks``), followed by the
    trackers ``cfg.train.track`` names. Under torchrun every rank trains its shard and only
    rank 0 writes and logs (see ``vaekit.training.distributed``).
    """
    out = Path(out)
    if cfg.data.path is not None:  # a run must not depend on the folder it was trained from
        cfg = cfg.model_copy(deep=True)
        cfg.data.path = str(Path(cfg.data.path).expanduser().resolve())
    callbacks = [*(callbacks or []), *trackers(cfg, out)]  # a missing package stops us here
    cfg = source_for_likelihood(cfg)
    ds = load_data(cfg.data)
    cfg = resolve_likelihood(cfg, ds)
    world = init_world(setup.resolve_device(cfg.train.device))
    try:
        with contextlib.ExitStack() as held:
            run = _train(cfg, out, ds, world, resume, progress, callbacks, held)
        # Every rank finishes before the group goes: a rank that tears its transport down while
        # another still talks to it is aborted by gloo. (A rank that failed leaves at once.)
        world.barrier()
        return run
    finally:
        close_world(world)


def _own(out: Path, world: Any, held: contextlib.ExitStack) -> None:
    """Rank 0 takes the run folder's lock for the rest of training and clears what a killed
    write left there; the other ranks never write."""
    if world.is_main:
        held.enter_context(RunLock(out))
        clean_temporaries(out)


def _train(cfg: Config, out: Path, ds: Dataset, world: Any, resume: bool,
           progress: bool | None, callbacks: list[Any] | None,
           held: contextlib.ExitStack) -> Run:
    hooks = [*default_callbacks(), *(callbacks or [])] if world.is_main else []
    if world.is_main and ds.summary and not resume:
        print(ds.summary, flush=True)
    spec = DataSpec.of(ds, cfg.data.binarize, cfg.model.likelihood)
    if world.is_main and not resume:
        print(f"{spec.curve_name} split ({spec.sizes[spec.curve_split]:,} examples) scores every "
              f"epoch: {spec.validation}", flush=True)
    device = local_device(setup.resolve_device(cfg.train.device), world)
    check_module(lambda: build_model(cfg.model, ds.shape), "the model", training=True)
    torch.manual_seed(cfg.train.seed)
    model = build_model(cfg.model, ds.shape)
    mode = modality(ds.kind).input_binarization(cfg.data.binarize)
    setup.check_likelihood_support(model, ds, mode)
    setup.check_labels(model, ds)
    check_precision(device, cfg.train.precision)
    model.to(device)
    ema = EMA(model, cfg.train.ema) if cfg.train.ema is not None else None
    # What held-out evaluation scores and model.safetensors holds: the average when there is one.
    evaluated = model if ema is None else ema.model
    raw = None if ema is None else model
    objective = build_objective(cfg.objective)
    step_fn: Any = LossModule(model, objective)
    if world.distributed:
        step_fn = DistributedDataParallel(step_fn)
    opt = setup.make_optimizer(model, cfg.train)
    extra = {"data": spec.to_json()}

    # elapsed: seconds of training so far, what a time budget counts.
    # adaptation: the state of a KL weight that follows validation (None when fixed).
    state: dict[str, Any] = {"epoch": 0, "step": 0, "best": math.inf, "bad_epochs": 0,
                             "elapsed": 0.0, "adaptation": None}
    partial: Partial | None = None
    if not resume:
        check_new_run_dir(out)
    # Trackers open their stores before the run folder is created: one that cannot stops here.
    call(hooks, "on_train_start", resume)
    if resume:
        _own(out, world, held)
        ckpt = load_checkpoint(out, model, opt, extra["data"])
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        if ema is not None:  # a run that turns the average on starts it at its weights
            ema.load_state_dict(ckpt.get("ema", {"weights": ckpt["model"], "updates": 0}))
        state = {k: ckpt.get(k, v) for k, v in state.items()}  # older ones lack elapsed
        if objective.adaptation is not None and state["adaptation"] is not None:
            objective.adaptation.load_state_dict(state["adaptation"])
        if "partial" in ckpt:  # saved inside the epoch after state["epoch"]
            partial = Partial.from_state(ckpt["partial"])
        rows = [r for r in read_metrics(out / "metrics.csv") if int(r["epoch"]) <= state["epoch"]]
    else:
        rows = []
        world.barrier()  # every rank checks before rank 0 claims, or a slow rank sees the claim
        if world.is_main:
            _own(out, world, held)  # the lock creates the folder
            claim_new_run_dir(out)  # checked again under the lock: another process may have won
            save_model(evaluated, cfg, out, extra, raw)
            _checkpoint(out, model, opt, ema, state)
    world.barrier()

    # The training split: streamed from disk by its own source, else the tensors in memory.
    source = ds.training_batches(device).binarized(mode).sharded(cfg.train.seed, world.rank,
                                                                 world.size)
    steps_per_epoch = source.steps(cfg.train.batch_size)
    update = Update(opt, grad_scaler(device, cfg.train.precision),
                    setup.LRSchedule(cfg.train, steps_per_epoch), cfg.train.grad_clip,
                    cfg.train.skip_grad_norm, ema)
    # The split the per-epoch curve and early stopping read: validation (test only for a run
    # made before validation splits), preprocessed once.
    x_held, y_held = ds.split(spec.curve_split)
    x_held, y_held = heldout_tensor(x_held, mode, device), _to(y_held, device)
    if cfg.train.heldout_size is not None:  # the first N of the split's one binarization
        n = cfg.train.heldout_size
        x_held, y_held = x_held[:n], None if y_held is None else y_held[:n]
    noise = torch.Generator(device=device)
    # The bar counts examples (all ranks' together); only rank 0 prints.
    bar = Progress(len(source), progress if world.is_main else False,
                   quiet=not world.is_main)
    fitted = prior_to_fit(evaluated, modality(ds.kind))
    budget = Budget(cfg.train.max_minutes, state["elapsed"], world, device,
                    kept=0.0 if fitted is None else BUDGET_SHARE)
    epochs: Any = itertools.count(state["epoch"] + 1) if cfg.train.epochs is None else \
        range(state["epoch"] + 1, cfg.train.epochs + 1)
    if budget.over(state["elapsed"]):  # spent by the sessions before this one
        bar.end_epoch(f"{out} has spent its time budget of {budget.minutes:g} min (epoch "
                      f"{state['epoch']}, step {state['step']}): raise it with --minutes to train "
                      "on")
        epochs = ()

    def save(done: Partial) -> None:  # a checkpoint inside an epoch
        if world.is_main:
            _checkpoint(out, model, opt, ema, {**state, "elapsed": budget.elapsed()}, done)

    for epoch in epochs:
        bar.start_epoch(epoch, cfg.train.epochs)
        model.train()
        noise.manual_seed(_seed(cfg.train.seed, epoch, world.rank + 1))
        try:
            tot = run_epoch(step_fn, update, source, epoch, cfg.train, state["step"], noise,
                            world, bar, budget, device, partial, save)
            partial = None
        except TrainingError as exc:
            raise TrainingError(
                f"{exc} (epoch {epoch}); the last good checkpoint (epoch {state['epoch']}) is kept "
                f"in {out}. Try a lower train.lr or set train.grad_clip") from None
        state["step"] += tot.steps

        model.eval()
        held = evaluate_split(evaluated, objective, x_held, y_held, cfg.train.eval_batch_size,
                              torch.Generator(device=device).manual_seed(_seed(cfg.train.seed,
                                                                              epoch, 0)))
        # Nats per example of the data in its own units: the standardization of table rows
        # enters through its log-Jacobian (0 for images).
        recon, kl = -tot.recon / tot.n - ds.log_jacobian, tot.kl / tot.n
        held_loss, held_recon = held.loss - ds.log_jacobian, held.recon - ds.log_jacobian
        h = spec.curve_split  # the columns name the split they were scored on
        rows.append({
            "epoch": epoch, "step": state["step"], "train_loss": recon + kl, "train_recon": recon,
            "train_kl": kl, f"{h}_loss": held_loss, f"{h}_recon": held_recon, f"{h}_kl": held.kl,
            "active_units": held.active_units, "lr": tot.lr,
            "beta": objective.beta_at(state["step"] - 1), "seconds": tot.seconds,
            **({"skipped_steps": tot.skipped} if cfg.train.skip_grad_norm is not None else {}),
            **{f"train_{k}": v for k, v in tot.stats.items()},
            **{f"{h}_{k}": v for k, v in held.stats.items()},
        })
        active = "-" if held.active_units is None else f"{held.active_units}/{model.latent_dim}"
        bar.end_epoch(f"epoch {epoch:3d}  train {objective.train_name} {recon + kl:9.3f}  "
                      f"{spec.curve_split} {objective.bound_name} {held_loss:9.3f} (recon "
                      f"{held_recon:.3f}, "
                      f"KL {held.kl:.3f})  "
                      f"active {active}  {f'skipped {tot.skipped}  ' if tot.skipped else ''}"
                      f"{tot.seconds:.1f}s")
        if objective.adaptation is not None:  # every rank scores the same split alike
            lowered = objective.adaptation.observe(held_recon)
            if lowered is not None:
                bar.end_epoch(f"KL weight lowered to {lowered:.3g}: the {spec.curve_name} "
                              f"reconstruction has not improved for "
                              f"{objective.adaptation.patience} epochs")
            state["adaptation"] = objective.adaptation.state_dict()
        improved = held.loss < state["best"]
        state.update(epoch=epoch, best=min(state["best"], held.loss),
                     bad_epochs=0 if improved else state["bad_epochs"] + 1,
                     elapsed=budget.elapsed())
        if world.is_main:
            # Metrics first, checkpoint last: a crash in between replays this epoch on resume.
            write_metrics(out / "metrics.csv", rows)
            save_model(evaluated, cfg, out, extra, raw)
            _checkpoint(out, model, opt, ema, state)
            call(hooks, "on_epoch_end", epoch, rows[-1], evaluated)
        world.barrier()
        if cfg.train.early_stopping and state["bad_epochs"] >= cfg.train.early_stopping:
            bar.end_epoch(f"early stopping: no better {spec.curve_name} loss for "
                          f"{state['bad_epochs']} epochs")
            break
        if tot.stopped or budget.over(budget.read()):
            bar.end_epoch(f"time budget of {budget.minutes:g} min spent: stopped "
                          f"{'in' if tot.stopped else 'after'} epoch {epoch}, at step "
                          f"{state['step']}; the model and checkpoint are saved")
            break
    if fitted is not None and world.is_main and rows:
        fit_code_prior(evaluated, fitted, modality(ds.kind).code_components, out,
                       (heldout_tensor(ds.train, mode, torch.device("cpu")), ds.train_labels),
                       (x_held, y_held), objective, ds.log_jacobian, cfg.train.seed,
                       cfg.train.eval_batch_size, bar.end_epoch)
    run = Run(out, cfg, evaluated.eval(), rows)
    call(hooks, "on_train_end", run)
    return run


def _to(t: torch.Tensor | None, device: torch.device) -> torch.Tensor | None:
    return None if t is None else t.to(device)


def _checkpoint(out: Path, model: Any, opt: torch.optim.Optimizer, ema: EMA | None,
                state: dict[str, Any], partial: Partial | None = None) -> None:
    """The state of exact resume; the learning rate is a function of ``state['step']``.
    ``partial``: the progress of the epoch after ``state['epoch']``, when saved inside it."""
    save_checkpoint(out, state["epoch"], {
        "model": model.state_dict(), "optimizer": opt.state_dict(),
        **({} if ema is None else {"ema": ema.state_dict()}), **state,
        **({} if partial is None else {"partial": partial.to_state()}),
    }, None if partial is None else state["step"] + partial.steps)
