"""The speed levers of the frontier presets, each against the plain fp32 step in the same run.

For each preset (``configs/best_5min.yaml``, ``configs/best_30min.yaml``,
``configs/conv_hvae.yaml``; dynamically binarized Fashion-MNIST) the same training step runs in
several forms, round-robin so the machine's drift hits all alike: fp32 at batch 128; bf16
autocast (``train.precision=bf16``; the loss's log-densities stay fp32); ``torch.compile`` of
the model with its loss (compile time reported apart); and fp32 at batch 256 (more samples per
step; the learning rate would be scaled with it). Printed: training samples/s and the ratio to
fp32 at batch 128. (The presets' channels-last convolutions are measured in benchmarks/conv.py.)

    python -m benchmarks.levers --steps 20 --rounds 3

Results: benchmarks/results/performance/levers.json, with provenance.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import yaml

from benchmarks.common import StepForm, median
from benchmarks.provenance import write_results
from vaekit.config.load import load_config
from vaekit.data import load_data

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ("best_5min", "best_30min", "conv_hvae")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20, help="training steps per form per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--presets", nargs="*", default=list(PRESETS))
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile form")
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    results: dict[str, dict[str, dict[str, float]]] = {}
    for preset in args.presets:
        raw = yaml.safe_load((ROOT / "configs" / f"{preset}.yaml").read_text())
        raw["train"] = {**raw.get("train", {}), "precision": "fp32"}
        ds = load_data(load_config(base=raw).data)
        forms = [StepForm("fp32, batch 128", raw, ds), StepForm("bf16 autocast", raw, ds, "bf16"),
                 StepForm("fp32, batch 256", raw, ds, batch=256)]
        if not args.no_compile:
            forms.append(StepForm("torch.compile (fp32)", raw, ds, compiled=True))
        times: dict[str, list[float]] = {f.name: [] for f in forms}
        for _ in range(args.rounds):
            for f in forms:
                times[f.name].append(f.steps(args.steps) / (args.steps * f.batch))
        base = median(times[forms[0].name])
        print(f"\n{preset}")
        for f in forms:
            per = median(times[f.name])
            extra = f"  (first 2 steps {f.warmup:.1f} s)" if "compile" in f.name else ""
            print(f"  {f.name:22s} {1 / per:8.0f} samples/s  x{base / per:.2f}{extra}")
        results[preset] = {f.name: {"samples_per_s": 1 / median(times[f.name]),
                                    "vs_fp32": base / median(times[f.name]), "warmup_s": f.warmup}
                           for f in forms}
    write_results(ROOT / "benchmarks" / "results" / "performance" / "levers.json",
                  {"steps": args.steps, "rounds": args.rounds, "presets": results})


if __name__ == "__main__":
    main()
