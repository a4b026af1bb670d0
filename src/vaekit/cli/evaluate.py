"""``vaekit evaluate``: honest likelihoods of a run on a whole split, written to RUN/eval.json;
with ``--shard``/``--workers``, the per-image bounds of a long evaluation (``evaluate_long``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaekit.cli.evaluate_long import SHARD, long_evaluation
from vaekit.cli.options import K_SAMPLES, SEED, OutputPath, open_context, run_argument

if TYPE_CHECKING:
    from vaekit.artifacts.run_context import RunContext


@click.command("evaluate")
@run_argument
@click.option("--split", type=click.Choice(["test", "val", "train"]), default="test", show_default=True,
              help="Split to evaluate (a dynamically binarized split is binarized once, seeded).")
@click.option("--k", "k", type=K_SAMPLES, default=1000, show_default=True,
              help="Importance samples per example for the NLL (IW bound); a point-mass "
              "posterior (a code grid) needs one and uses one.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="Examples per block: each block draws from its own generator, seeded with "
              "--seed plus the index of its first example (the k samples are decoded in "
              "bounded chunks).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of every draw.")
@click.option("--out", type=OutputPath(own="eval.json"), default=None,
              help="JSON file to write [default: RUN/eval.json].")
@click.option("--device", default="cpu", show_default=True, metavar="DEVICE",
              help="cpu, cuda, cuda:N or auto: where the k samples are decoded. The held-out "
              "split's fixed binarization is the same images on every device.")
@click.option("--shard", type=SHARD, default=None, metavar="I/N",
              help="Only the bounds, image by image, of shard I of N (0 <= I < N) of the blocks, "
              "kept in RUN/iw-k<k>-seed<seed>/: shards run apart add up.")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Processes sharing the blocks (per-image bounds, as with --shard; the "
              "whole split when --shard is not given).")
@click.option("--pair", type=K_SAMPLES, default=None, metavar="K",
              help="With per-image bounds: also the image-by-image difference from those of k=K.")
@click.option("--report", is_flag=True,
              help="Only report what the per-image bounds written so far give.")
def evaluate_cmd(run: Path, split: str, k: int, batch_size: int, seed: int, out: Path | None,
                 device: str, shard: tuple[int, int] | None, workers: int | None,
                 pair: int | None, report: bool) -> None:
    """ELBO (recon, KL), NLL by importance sampling, bits/dim and latent diagnostics of RUN.

    Nats per example: `elbo` is the bound (higher is better), `nll` = -IW bound (lower is
    better), so -nll >= elbo; every mean has its standard error. Both are taken against the
    prior the run carries (a prior fitted after training, such as a VQ-VAE's code prior, too).

    Finished batches are kept in OUT.partial/ (RUN/eval.json.partial/): run the same command
    again after an interruption and it goes on from there, to the numbers of an uninterrupted run.

    A long evaluation (`--k 5000 --shard 0/4 --workers 2`) writes only the per-image bounds,
    one file per block in RUN/iw-k<k>-seed<seed>/; every block's draws are the ones a whole
    evaluation gives it, so shards computed on other machines or in other sittings add up, and
    once all are there the mean and its standard error go to RUN/iw-k<k>-seed<seed>.json.
    """
    from vaekit.errors import UserError
    from vaekit.training.setup import resolve_device

    ctx = open_context(run, str(resolve_device(device, "--device")))
    if shard is not None or workers is not None or pair is not None or report:
        if out is not None:
            raise UserError("--out names eval.json of a whole evaluation; the per-image bounds "
                            "of --shard, --workers, --pair and --report go to RUN/iw-k<k>-seed<seed>/")
        long_evaluation(ctx, split, k, seed, batch_size, shard or (0, 1), workers or 1, pair,
                        report)
        return
    _whole(ctx, run, split, k, batch_size, seed, out)


def _whole(ctx: RunContext, run: Path, split: str, k: int, batch_size: int, seed: int,
           out: Path | None) -> None:
    from vaekit.eval.evaluate import evaluate_data
    from vaekit.eval.iw import chunk_for
    from vaekit.store.eval_file import EVAL_FILE, write_eval
    from vaekit.store.eval_journal import EvalJournal, digest

    model, data = ctx.model, ctx.eval_data(split)
    out = out or run / EVAL_FILE
    chunk = chunk_for(model.device)  # how the draws fall into calls: part of what they are
    journal = EvalJournal(out, {
        "weights": digest(model.state_dict()), "data": digest({"x": data.x, "y": data.y}),
        "split": split, "k": k, "batch_size": batch_size, "seed": seed,
        "seeding": "per block", "device": model.device.type, "chunk": chunk})
    if done := min(journal.resumable() * batch_size, len(data.x)):
        click.echo(f"resuming: {done} of {len(data.x)} examples were evaluated ({journal.folder})")
    try:
        result = evaluate_data(model, data, k=k, batch_size=batch_size, seed=seed,
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
