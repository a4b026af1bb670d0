"""``vaekit train --eval-k K``: at the end of training, the IW bound on the held-out split."""

from __future__ import annotations

from typing import Any

import click


class EvalAtEnd:
    """on_train_end: evaluate the run's model with k importance samples on ``split`` and write
    RUN/eval.json (the same file and fields as ``vaekit evaluate``)."""

    def __init__(self, k: int, split: str = "test", batch_size: int = 100, seed: int = 0) -> None:
        self.k, self.split, self.batch_size, self.seed = k, split, batch_size, seed
        self.result: Any = None

    def on_train_end(self, run: Any) -> None:
        from vaekit.data import load_data
        from vaekit.eval.evaluate import evaluate
        from vaekit.store.eval_file import EVAL_FILE, write_eval

        ds = load_data(run.config.data)
        self.result = evaluate(run.model, ds, k=self.k, split=self.split,
                               batch_size=self.batch_size, seed=self.seed,
                               binarize=run.config.data.binarize)
        write_eval(self.result, run.path / EVAL_FILE)
        r = self.result
        bpd = f", {r.bits_per_dim:.4f} bits/dim" if r.bits_per_dim is not None else ""
        click.echo(f"{self.split} NLL (IW bound, k={r.k}) {r.nll:.3f} nats per example{bpd}; "
                   f"-ELBO {-r.elbo:.3f}; written to {run.path / EVAL_FILE}")
