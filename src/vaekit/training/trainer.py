"""The training loop: one explicit loop over a preloaded tensor, checkpointed every epoch."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import torch

from vaekit.artifacts.checkpoint import load_checkpoint, save_checkpoint
from vaekit.artifacts.metrics import read_metrics, write_metrics
from vaekit.artifacts.model_files import save_model
from vaekit.artifacts.run_dir import Run, claim_new_run_dir
from vaekit.config.schema import Config
from vaekit.data import Dataset, heldout_tensor, load_data
from vaekit.errors import TrainingError
from vaekit.eval.elbo import evaluate_split
from vaekit.model.build import build_model
from vaekit.model.vae import VAE
from vaekit.objectives import build_objective
from vaekit.training import setup
from vaekit.training.callbacks import call, default_callbacks
from vaekit.training.progress import Progress


def data_info(ds: Dataset, cfg: Config) -> dict[str, Any]:
    """What a loaded model needs to know about its data (stored in config.json)."""
    info: dict[str, Any] = {
        "name": ds.name, "kind": ds.kind, "n_train": len(ds.train), "n_test": len(ds.test),
        "test_is_official": ds.test_is_official, "classes": ds.classes, "columns": ds.columns,
        "binarize": cfg.data.binarize, "likelihood": cfg.model.likelihood,
    }
    if ds.column_mean is not None and ds.column_std is not None:
        info["column_mean"] = ds.column_mean.tolist()
        info["column_std"] = ds.column_std.tolist()
    return info


def _epoch_order(n: int, seed: int, epoch: int) -> torch.Tensor:
    """The data order of one epoch depends only on (seed, epoch): resume replays it exactly."""
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))


def train(cfg: Config, out: str | Path, resume: bool = False, progress: bool | None = None,
          callbacks: list[Any] | None = None) -> Run:
    """Train ``cfg`` into run folder ``out`` (or continue it with ``resume``); returns the Run.

    ``callbacks`` are added to the defaults (see ``vaekit.training.callbacks``).
    """
    out = Path(out)
    hooks = [*default_callbacks(), *(callbacks or [])]
    ds = load_data(cfg.data)
    device = setup.resolve_device(cfg.train.device)
    torch.manual_seed(cfg.train.seed)
    model = build_model(cfg.model, ds.shape)
    mode = cfg.data.binarize if ds.kind == "image" else "none"
    setup.check_likelihood_support(model, ds, mode)
    model.to(device)
    objective = build_objective(cfg.objective)
    opt = setup.make_optimizer(model, cfg.train)
    sched = setup.make_schedule(opt, cfg.train)
    noise = torch.Generator(device=device).manual_seed(cfg.train.seed)
    extra = {"data": data_info(ds, cfg)}

    state: dict[str, Any] = {"epoch": 0, "step": 0, "best": math.inf, "bad_epochs": 0}
    if resume:
        ckpt = load_checkpoint(out)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["schedule"])
        noise.set_state(ckpt["noise_rng"])
        state = {k: ckpt[k] for k in state}
        rows = [r for r in read_metrics(out / "metrics.csv") if int(r["epoch"]) <= state["epoch"]]
    else:
        claim_new_run_dir(out)
        rows = []
        save_model(model, cfg, out, extra)
        _checkpoint(out, model, opt, sched, noise, state)

    batches = setup.Batches(ds.train.to(device), _to(ds.train_labels, device), mode)
    x_test, y_test = heldout_tensor(ds.test, mode, device), _to(ds.test_labels, device)
    bs = cfg.train.batch_size
    bar = Progress(setup.steps_per_epoch(len(batches), cfg), progress)
    for epoch in range(state["epoch"] + 1, cfg.train.epochs + 1):
        bar.start_epoch(epoch, cfg.train.epochs)
        model.train()
        lr = opt.param_groups[0]["lr"]
        sums = torch.zeros(2, dtype=torch.float64, device=device)
        stat_sums: dict[str, torch.Tensor] = {}
        t0 = time.perf_counter()
        order = _epoch_order(len(batches), cfg.train.seed, epoch).to(device)
        for i in range(0, len(batches), bs):
            batch = batches.batch(order[i : i + bs], noise)
            res = objective(model, batch, state["step"], noise)
            loss = res.loss
            if not torch.isfinite(loss):
                raise TrainingError(
                    f"the loss became {loss.item()} at epoch {epoch}, step {state['step']}; the "
                    f"last good checkpoint (epoch {state['epoch']}) is kept in {out}. Try a lower "
                    "train.lr or set train.grad_clip")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.train.grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.train.grad_clip)
            opt.step()
            state["step"] += 1
            sums += torch.stack([res.recon.detach().sum(), res.kl.detach().sum()])
            for k, v in res.stats.items():
                stat_sums[k] = stat_sums.get(k, 0.0) + v.detach() * len(batch)
            bar.step(len(batch), loss=float(loss.detach()))
        seconds = time.perf_counter() - t0
        sched.step()

        model.eval()
        held = evaluate_split(model, objective, x_test, y_test, cfg.train.eval_batch_size, noise)
        recon, kl = (-sums[0] / len(batches)).item(), (sums[1] / len(batches)).item()
        rows.append({
            "epoch": epoch, "step": state["step"], "train_loss": recon + kl, "train_recon": recon,
            "train_kl": kl, "test_loss": held.loss, "test_recon": held.recon, "test_kl": held.kl,
            "active_units": held.active_units, "lr": lr,
            "beta": objective.beta_at(state["step"] - 1), "seconds": seconds,
            **{f"train_{k}": float(v) / len(batches) for k, v in stat_sums.items()},
            **{f"test_{k}": v for k, v in held.stats.items()},
        })
        bar.end_epoch(f"epoch {epoch:3d}  train -ELBO {recon + kl:9.3f}  held-out -ELBO "
                      f"{held.loss:9.3f} (recon {held.recon:.3f}, KL {held.kl:.3f})  "
                      f"active {held.active_units}/{model.latent_dim}  {seconds:.1f}s")
        improved = held.loss < state["best"]
        state.update(epoch=epoch, best=min(state["best"], held.loss),
                     bad_epochs=0 if improved else state["bad_epochs"] + 1)
        # Metrics first, checkpoint last: a crash in between replays this epoch on resume.
        write_metrics(out / "metrics.csv", rows)
        save_model(model, cfg, out, extra)
        _checkpoint(out, model, opt, sched, noise, state)
        call(hooks, "on_epoch_end", epoch, rows[-1], model)
        if cfg.train.early_stopping and state["bad_epochs"] >= cfg.train.early_stopping:
            print(f"early stopping: no better held-out loss for {state['bad_epochs']} epochs")
            break
    run = Run(out, cfg, model.eval(), read_metrics(out / "metrics.csv"))
    call(hooks, "on_train_end", run)
    return run


def _to(t: torch.Tensor | None, device: torch.device) -> torch.Tensor | None:
    return None if t is None else t.to(device)


def _checkpoint(out: Path, model: VAE, opt: torch.optim.Optimizer, sched: Any,
                noise: torch.Generator, state: dict[str, Any]) -> None:
    save_checkpoint(out, state["epoch"], {
        "model": model.state_dict(), "optimizer": opt.state_dict(),
        "schedule": sched.state_dict(), "noise_rng": noise.get_state(), **state,
    })
