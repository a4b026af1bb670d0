"""``vaekit evaluate``: honest likelihoods of a run on a whole split, written to RUN/eval.json."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import K_SAMPLES, SEED, OutputPath, open_context, run_argument


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
@click.option("--out", type=OutputPath(own="eval.json"), default=None,
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

    Finished batches are kept in OUT.partial/ (RUN/eval.json.partial/): run the same command
    again after an interruption and it goes on from there, to the numbers of an uninterrupted run.
    """
    from vaekit.eval.evaluate import evaluate_data
    from vaekit.eval.iw import chunk_for
    from vaekit.store.eval_file import EVAL_FILE, write_eval
    from vaekit.store.eval_journal import EvalJournal, digest
    from vaekit.training.setup import resolve_device

    ctx = open_context(run, str(resolve_device(device, "--device")))
    data = ctx.eval_data(split)
    out = out or run / EVAL_FILE
    chunk = chunk_for(ctx.model.device)  # how the draws fall into calls: part of what they are
    journal = EvalJournal(out, {
        "weights": digest(ctx.model.state_dict()), "data": digest({"x": data.x, "y": data.y}),
        "split": split, "k": k, "batch_size": batch_size, "seed": seed,
        "device": ctx.model.device.type, "chunk": chunk})
    if done := min(journal.resumable() * batch_size, len(data.x)):
        click.echo(f"resuming: {done} of {len(data.x)} examples were evaluated ({journal.folder})")
    try:
        result = evaluate_data(ctx.model, data, k=k, batch_size=batch_size, seed=seed,
                               chunk=chunk, journal=journal)
    except KeyboardInterrupt:
        done = min(journal.kept * batch_size, len(data.x))
        click.echo(f"\ninterrupted after {done} of {len(data.x)} examples (kept in "
                   f"{journal.folder}); the same command goes on from there", err=True)
        raise click.exceptions.Exit(130) from None
    write_eval(result, out)
    journal.clear()
    click.echo(result.table(str(run)))
    click.echo(f"\nwrote {out} ({result.seconds:.1f}s)")


COMMANDS = [evaluate_cmd]
