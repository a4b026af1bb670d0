"""The conv architecture on Fashion-MNIST: training samples/s, channels_last and torch.compile.

vaekit's default conv VAE (two stride-2 stages, 32 and 64 channels, 7x7x64 features, latent 20,
Bernoulli) takes training steps at batch 128 in three forms, round-robin so the machine's drift
hits all alike: conv weights in the usual NCHW layout, vaekit's channels-last weights (which make
oneDNN run the convolutions in NHWC), and vaekit's model with its loss ``torch.compile``d (its
compile time reported apart). A profile of vaekit's step says where the time goes.

    python -m benchmarks.conv --steps 60 --rounds 5

Results: benchmarks/results/performance/conv.json, with provenance.
"""

from __future__ import annotations

import argparse

import torch

from benchmarks.common import StepForm, median
from benchmarks.provenance import ROOT, write_results
from vaekit.config.load import load_config
from vaekit.data import load_data

CONV = {"data": {"name": "fashion-mnist", "binarize": "dynamic"},
        "model": {"arch": "conv", "channels": [32, 64], "latent_dim": 20,
                  "likelihood": "bernoulli"},
        "train": {"batch_size": 128, "lr": 1e-3, "seed": 0}}


def profile_step(form: StepForm, steps: int) -> None:
    from torch.profiler import profile

    with profile() as prof:
        form.steps(steps)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60, help="training steps per form per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile form")
    args = ap.parse_args()
    ds = load_data(load_config(base=CONV).data)
    forms = [StepForm("NCHW weights", CONV, ds, nchw=True),
             StepForm("channels-last weights (vaekit)", CONV, ds)]
    if not args.no_compile:
        forms.append(StepForm("channels-last + torch.compile", CONV, ds, compiled=True))
    times: dict[str, list[float]] = {f.name: [] for f in forms}
    for _ in range(args.rounds):
        for f in forms:
            times[f.name].append(args.steps * 128 / f.steps(args.steps))
    base = median(times[forms[0].name])
    print(f"\ntorch {torch.__version__}, {torch.get_num_threads()} threads, batch 128, "
          f"{args.rounds} rounds of {args.steps} steps\n")
    print("| form | samples/s (median round) | vs NCHW | warm-up s |")
    print("|---|---|---|---|")
    for f in forms:
        s = median(times[f.name])
        print(f"| {f.name} | {s:,.0f} | {s / base:.2f}x | {f.warmup:.1f} |")
    write_results(ROOT / "benchmarks" / "results" / "performance" / "conv.json", {
        "steps": args.steps, "rounds": args.rounds, "batch": 128,
        "rows": [{"form": f.name, "samples_per_s": median(times[f.name]),
                  "vs_nchw": median(times[f.name]) / base, "warmup_s": f.warmup} for f in forms]})
    print("\nwhere the time of vaekit's step goes:")
    profile_step(forms[1], args.steps)


if __name__ == "__main__":
    main()
