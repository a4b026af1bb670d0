"""``vaekit evaluate``: honest likelihoods of a run on a whole split, written to RUN/eval.json."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import K_SAMPLES, SEED, open_context, run_argument


@click.command("evaluate")
@run_argument
@click.option("--split", type=click.Choice(["test", "train"]), default="test", show_default=True,
              help="Split to evaluate (a dynamically binarized split is binarized once, seeded).")
@click.option("--k", "k", type=K_SAMPLES, default=1000, show_default=True,
              help="Importance samples per example for the NLL (IW bound); a point-mass "
              "posterior (a code grid) needs one and uses one.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Examples per batch (the k samples are decoded in bounded chunks).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of every draw.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="JSON file to write [default: RUN/eval.json].")
@click.option("--device", default="cpu", show_default=True, metavar="DEVICE",
              help="cpu, cuda, cuda:N or auto: where the k samples are decoded. The held-out "
              "split's fixed binarization is the same images on every device.")
def evaluate_cmd(run: Path, split: str, k: int, batch_size: int, seed: int,
                 out: Path | None, device: str) -> None:
    """ELBO (recon, KL), NLL by importance sampling, bits/dim and latent diagnostics of RUN.

    Nats per example: `elbo` is the bound (higher is better), `nll` = -IW bound (lower is
    better), so -nll >= elbo; every mean has its standard error. Both are taken against the
    prior the run carries (a prior fitted after training, such as a VQ-VAE's code prior, too).
    """
    from vaekit.eval.evaluate import evaluate_data
    from vaekit.store.eval_file import EVAL_FILE, write_eval
    from vaekit.training.setup import resolve_device

    ctx = open_context(run, str(resolve_device(device, "--device")))
    result = evaluate_data(ctx.model, ctx.eval_data(split), k=k, batch_size=batch_size, seed=seed)
    out = out or run / EVAL_FILE
    write_eval(result, out)
    click.echo(result.table(str(run)))
    click.echo(f"\nwrote {out} ({result.seconds:.1f}s)")


COMMANDS = [evaluate_cmd]
