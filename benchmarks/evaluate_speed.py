"""Speed of the importance-weighted NLL (k samples per example) on the reference model.

Three estimators on identical weights: vaekit's (encode once, decode k*B latents in large
chunks, float32 compute, float64 streaming logsumexp), a straightforward batched one (float64,
the encoder re-run for every sample block, autograd left on), and a one-example-at-a-time one
(k samples batched per example, as Pythae's get_nll does) on a subset.

    python -m benchmarks.evaluate_speed --train-epochs 10 --k 1000 --n 10000

Results: benchmarks/results/performance/evaluate_speed.json, with provenance.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import warnings
from pathlib import Path

import torch

import vaekit
from benchmarks.common import REFERENCE, matmul_peak, one_batch_nll, timed
from benchmarks.provenance import ROOT, write_results
from vaekit.config.schema import DataConfig
from vaekit.data import load_data, to_float
from vaekit.eval.iw import iw_log_likelihood

# Per sample: the decoder (2 * (20*400 + 400*784)) and three log-densities; the encoder runs
# once per example, which is negligible at large k.
FLOPS_PER_SAMPLE = 2 * (20 * 400 + 400 * 784) + 10 * 784


def straightforward(model, x: torch.Tensor, k: int, block: int = 100) -> torch.Tensor:
    """Batched logsumexp over k samples, all in float64, re-encoding for every block of samples."""
    model = model.double()
    x = x.double()
    out = []
    for i in range(0, len(x), 100):
        xb = x[i : i + 100]
        logws = []
        for _ in range(0, k, block):
            q = model.encode(xb)
            z = q.rsample(block)  # (block, B, L)
            xs = xb.expand(block, *xb.shape).reshape(-1, *xb.shape[1:])
            lp = model.decode(z.reshape(-1, z.shape[-1])).log_prob(xs).view(block, -1)
            logws.append(lp + model.prior.log_prob(z) - q.log_prob(z))
        # Autograd stays on inside a group of examples (as in a loop written without
        # inference mode); its graph is dropped with the group.
        out.append((torch.logsumexp(torch.cat(logws), 0) - math.log(k)).detach())
    model.float()
    return torch.cat(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-epochs", type=int, default=10)
    ap.add_argument("--k", type=int, default=1000)
    ap.add_argument("--n", type=int, default=10000, help="test examples")
    ap.add_argument("--n-slow", type=int, default=200, help="examples for the per-example one")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message=".*grey levels.*")

    out = Path(tempfile.mkdtemp()) / "ref"
    run = vaekit.train({**REFERENCE, "train": {**REFERENCE["train"],
                                               "epochs": args.train_epochs}}, out=out)
    model = run.model
    x = to_float(load_data(DataConfig(name="fashion-mnist")).test[: args.n])
    peak = matmul_peak()
    torch.manual_seed(0)
    fast, t_fast = timed(iw_log_likelihood, model, x, None, args.k)
    torch.manual_seed(0)
    plain, t_plain = timed(straightforward, model, x, args.k)
    nll_slow, t_slow = timed(one_batch_nll, model, x[: args.n_slow], args.k,
                             torch.Generator().manual_seed(0))
    slow = -nll_slow
    samples = args.n * args.k
    limit = samples * FLOPS_PER_SAMPLE / peak
    se = float(fast.std() / math.sqrt(len(fast)))

    print(f"\nmatmul peak {peak / 1e9:.1f} GFLOP/s; {FLOPS_PER_SAMPLE / 1e6:.2f} MFLOP per sample; "
          f"{args.n} test examples x k={args.k}; arithmetic limit {limit:.1f} s\n")
    print("| estimator | NLL (nats) | wall s | samples/s | x limit |")
    print("|---|---|---|---|---|")
    rows = [("vaekit", fast, t_fast, args.n), ("straightforward batched", plain, t_plain, args.n),
            ("one example at a time", slow, t_slow, args.n_slow)]
    for name, est, t, n in rows:
        full = t * args.n / n
        print(f"| {name} | {-float(est.mean()):.2f} | {full:.1f}{'*' if n != args.n else ''} | "
              f"{n * args.k / t:,.0f} | {full / limit:.2f} |")
    print(f"\nvaekit vs straightforward: {t_plain / t_fast:.2f}x faster; NLL difference "
          f"{float(fast.mean() - plain.mean()):+.3f} nats (standard error {se:.3f}). * scaled to "
          f"{args.n} examples from {args.n_slow}.")
    write_results(ROOT / "benchmarks" / "results" / "performance" / "evaluate_speed.json", {
        "train_epochs": args.train_epochs, "k": args.k, "n": args.n, "matmul_peak_flops": peak,
        "flops_per_sample": FLOPS_PER_SAMPLE, "limit_s": limit, "nll_se": se,
        "vs_straightforward": t_plain / t_fast, "nll_difference": float(fast.mean() - plain.mean()),
        "rows": [{"estimator": name, "n": n, "nll": -float(est.mean()), "seconds": t,
                  "seconds_all": t * args.n / n, "samples_per_s": n * args.k / t,
                  "vs_limit": t * args.n / n / limit} for name, est, t, n in rows]})


if __name__ == "__main__":
    main()
