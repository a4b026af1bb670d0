"""``vaekit train``: train a model from a config file, flags and dotted overrides."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click

from vaekit.cli.options import INPUT, K_SAMPLES, SEED, Finite, LazyEpilog


def _flag_overrides(data: str | None, epochs: int | None, seed: int | None,
                    track: tuple[str, ...] = (), minutes: float | None = None) -> list[str]:
    """Command-line flags as overrides, applied after the config file so that they win."""
    from vaekit.data import resolve_data_arg

    out = []
    if data is not None:
        out += [f"data.{k}={v}" for k, v in resolve_data_arg(data).items()]
    if epochs is not None:
        out.append(f"train.epochs={epochs}")
    if seed is not None:
        out.append(f"train.seed={seed}")
    if minutes is not None:
        out.append(f"train.max_minutes={minutes!r}")
    if track:
        out.append(f"train.track={json.dumps(list(track))}")
    return out


def _resume_only(config_file: Path | None, data: str | None, seed: int | None, out: Path | None,
                 overrides: tuple[str, ...]) -> None:
    """--resume continues a run as its config.json says: options that would change it are
    refused before anything runs, never silently ignored."""
    given = [flag for flag, value in (("--config", config_file), ("--data", data),
                                      ("--seed", seed), ("--out", out), ("--set", overrides))
             if value not in (None, ())]
    if given:
        raise click.UsageError(f"--resume continues the run as its config.json says, so "
                               f"{', '.join(given)} cannot change it; with --resume give only "
                               "--epochs, --minutes, --track, --eval-k or --nproc")


def _keys_help() -> str:
    """Every config key with its default and meaning, from the schema itself."""
    from vaekit.config.schema import Config

    lines = ["\b", "Config keys (set in --config YAML or with --set section.key=value):"]
    for section, field in Config.model_fields.items():
        for key, sub in field.annotation.model_fields.items():  # type: ignore[union-attr]
            default = sub.default_factory() if sub.default_factory else sub.default  # type: ignore[call-arg]
            lines.append(f"  {section}.{key} = {default!r}: {sub.description}")
    return "\n".join(lines)


@click.command("train", cls=LazyEpilog, epilog_from=_keys_help)
@click.option("--config", "config_file", type=INPUT,
              help="YAML config (sections data, model, objective, train).")
@click.option("--data", help="Built-in data set (digits, fashion-mnist, mnist, cifar10) or a "
              "path: .npz/.npy arrays, .csv table, or an image folder.")
@click.option("--epochs", type=click.IntRange(1, 1_000_000),
              help="Passes over the training split (train.epochs).")
@click.option("--minutes", type=Finite(0, min_open=True), metavar="M",
              help="Time budget (train.max_minutes): stop cleanly after M minutes of training, "
              "with a cosine schedule stretched to it; --epochs, if given, still bounds the run. "
              "With --resume: the new total.")
@click.option("--seed", type=SEED, help="Seed of initialization, data order and sampling.")
@click.option("--out", type=click.Path(path_type=Path), help="Run folder to create "
              "(default runs/<date-time>).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a config key, e.g. --set model.hidden=[400,200]; repeatable.")
@click.option("--resume", type=click.Path(path_type=Path), metavar="RUN",
              help="Continue an interrupted run from its last checkpoint (--epochs may extend it).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--nproc", type=click.IntRange(1, 1024), default=1, show_default=True,
              help="Data-parallel processes on this machine (torchrun + DistributedDataParallel; "
              "train.batch_size stays the global batch).")
@click.option("--eval-k", type=K_SAMPLES, default=None, metavar="K",
              help="After training, evaluate the held-out NLL with K importance samples and write "
              "RUN/eval.json (as `vaekit evaluate --k K`).")
@click.option("--track", multiple=True, metavar="TRACKER",
              help="Also log the run to an experiment tracker: tensorboard or mlflow "
              "(train.track; repeatable; each is a pip extra, e.g. vaekit[tensorboard]).")
def train_cmd(config_file: Path | None, data: str | None, epochs: int | None,
              minutes: float | None, seed: int | None, out: Path | None,
              overrides: tuple[str, ...], resume: Path | None, progress: bool | None, nproc: int,
              eval_k: int | None, track: tuple[str, ...]) -> None:
    """Train a VAE and write a run folder (config.json, model.safetensors, metrics.csv)."""
    from vaekit.config.load import load_config, read_yaml
    from vaekit.store.checkpoint import DIR as CHECKPOINTS
    from vaekit.store.checkpoint import LATEST
    from vaekit.store.model_files import read_run_config
    from vaekit.store.run_dir import check_new_run_dir
    from vaekit.training.launch import launch_torchrun, under_torchrun
    from vaekit.training.trainer import train

    if resume is not None:
        _resume_only(config_file, data, seed, out, overrides)
        run_cfg, _ = read_run_config(resume)  # a 0.1 run's config converted, as when opened
        extra = _flag_overrides(None, epochs, None, track, minutes)
        cfg = load_config(base=run_cfg.model_dump(), overrides=extra)
        run_dir = resume
    else:
        from vaekit.data import resolve_data_arg
        from vaekit.data.table_defaults import with_table_defaults

        base = read_yaml(config_file) if config_file else {}
        if data is not None and isinstance(base, dict):  # a table's defaults under the user's keys
            source = {**(base.get("data") or {}), **resolve_data_arg(data)}
            base = {k: v for k, v in with_table_defaults({**base, "data": source}).items()
                    if k != "data" or "data" in base}
        elif isinstance(base, dict):
            base = with_table_defaults(base)
        flags = _flag_overrides(data, epochs, seed, track, minutes)
        cfg = load_config(base=base, overrides=[*overrides, *flags])
        run_dir = out or Path("runs") / time.strftime("%Y%m%d-%H%M%S")
    if nproc > 1 and not under_torchrun():
        from vaekit.training.callbacks import trackers

        if resume is None:
            check_new_run_dir(run_dir)  # one clear line here, not one per rank
        trackers(cfg, run_dir)  # so is a tracker whose package is missing
        args = ["train", "--resume", str(resume)] if resume is not None else [
            "train", "--out", str(run_dir),
            *(["--config", str(config_file)] if config_file else []),
            *[a for o in [*overrides, *_flag_overrides(data, epochs, seed, track, minutes)]
              for a in ("--set", o)]]
        if resume is not None:
            args += [*(["--epochs", str(epochs)] if epochs is not None else []),
                     *(["--minutes", repr(minutes)] if minutes is not None else []),
                     *[a for t in track for a in ("--track", t)]]
        if eval_k is not None:
            args += ["--eval-k", str(eval_k)]
        code = launch_torchrun(nproc, [*args, "--no-progress"])
        if code:
            raise click.exceptions.Exit(code)
        return  # rank 0 named the run folder
    from vaekit.report.callback import ReportCallback
    from vaekit.training.eval_callback import EvalAtEnd

    report = ReportCallback()  # last, so the report shows the eval.json that --eval-k writes
    hooks = [*([EvalAtEnd(eval_k)] if eval_k is not None else []), report]
    try:
        run = train(cfg, run_dir, resume=resume is not None, progress=progress, callbacks=hooks)
    except KeyboardInterrupt:
        done = " from its last checkpoint" if (run_dir / CHECKPOINTS / LATEST).exists() else ""
        click.echo(f"\ninterrupted; continue{done} with: vaekit train --resume {run_dir}", err=True)
        raise click.exceptions.Exit(130) from None
    if under_torchrun() and int(os.environ.get("RANK", "0")) != 0:
        return  # one rank speaks for the run
    click.echo(f"run folder: {run.path}")
    if report.path is not None:
        click.echo(f"report:     {report.path}")


COMMANDS = [train_cmd]
