"""``vaekit quickstart``: the main job on the embedded 8x8 digits, in well under a minute."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import click

QUICKSTART = {
    "data": {"name": "digits"},
    # likelihood auto: a discretized logistic over the digits' 17 grey levels (a true probability).
    "model": {"arch": "mlp", "hidden": [128], "latent_dim": 8},
    "train": {"epochs": 40, "batch_size": 64, "lr": 3e-3, "seed": 0},
}


@click.command("quickstart")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/quickstart"),
              show_default=True, help="Run folder (replaced if it holds an earlier quickstart).")
@click.option("--progress/--no-progress", default=None, help="Progress bar.")
def quickstart_cmd(out: Path, progress: bool | None) -> None:
    """Train a VAE on scikit-learn's 8x8 digits and write samples and reconstructions."""
    from vaekit.artifacts.run_context import RunContext
    from vaekit.cli.images import write_reconstructions, write_samples
    from vaekit.config.load import load_config
    from vaekit.report.callback import ReportCallback
    from vaekit.store.metrics import heldout
    from vaekit.training.trainer import train

    if (out / "config.json").exists() and (out / ".quickstart").exists():
        shutil.rmtree(out)
    cfg = load_config(base=QUICKSTART)
    report = ReportCallback()
    run = train(cfg, out, progress=progress, callbacks=[report])
    (out / ".quickstart").touch()
    ctx = RunContext.open(out, model=run.model)
    write_samples(ctx, out / "samples.png", 64)
    write_reconstructions(ctx, out / "reconstructions.png", 32)
    last = run.metrics[-1]
    nats, dims = float(heldout(last, "loss")), math.prod(run.model.shape)  # type: ignore[arg-type]
    click.echo(f"\nvalidation -ELBO {nats:.2f} nats per example = {nats / (dims * math.log(2)):.3f} "
               f"bits/dim ({run.config.model.likelihood} likelihood, "
               f"{run.config.model.likelihood_args.get('levels')} grey levels)")
    click.echo(f"run folder:      {out}")
    click.echo(f"samples:         {out / 'samples.png'}")
    click.echo(f"reconstructions: {out / 'reconstructions.png'}")
    click.echo(f"metrics:         {out / 'metrics.csv'}")
    if report.path is not None:
        click.echo(f"report:          {report.path}")


COMMANDS = [quickstart_cmd]
