"""The presets on a GPU: `vaekit train --set train.device=cuda`, `vaekit evaluate --device cuda`
and sampling, each checked against the CPU where the two must agree.

    python -m benchmarks.cuda --seconds 15 [--run RUN --k 1000 5000] [--out DIR] [--runs DIR]

For each preset (configs/best_30min.yaml, best_5min.yaml, conv_hvae.yaml, all at once, one
process each): train for ``--seconds`` on CUDA through the CLI, evaluate the run on CUDA through
the CLI (k=100, all test images), check that the trained model computes the same log p(x|z) on
the CPU and on CUDA, and time 64 samples on CUDA (pixel by pixel for a PixelCNN decoder).
``--run``: a run trained elsewhere, evaluated on CUDA on all test images with each ``--k`` (the
published protocol's k=5000). The held-out split's fixed binarization must be the same images on
both devices. One line per check; results to --out (cuda.json, eval-k<K>.json, each written as
soon as it is known), the presets' run folders to --runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import torch

import vaekit
from vaekit.eval.data import prepare
from vaekit.store.metrics import read_metrics

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ("best_30min", "best_5min", "conv_hvae")


def cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vaekit", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def attempt(what: str, fn: Any, *args: Any) -> Any:
    """fn(*args), or None after printing the traceback: one failed check leaves the others."""
    try:
        return fn(*args)
    except Exception:
        print(f"FAILED: {what}\n{traceback.format_exc()}", flush=True)
        return None


def finish(proc: subprocess.Popen, what: str) -> bool:
    """Wait for ``proc``; print its output and say so when it failed."""
    out, _ = proc.communicate()
    if proc.returncode:
        print(f"FAILED: {what} (exit {proc.returncode}):\n{out}", flush=True)
    return proc.returncode == 0


@torch.inference_mode()
def same_on_both(run: Path, device: str, n: int = 256) -> float:
    """Largest |log p(x|z=E[z|x]) on the device - on the CPU| over n test images, nats: the same
    weights must compute the same function on both (float32 rounding apart)."""
    cpu, gpu = vaekit.load(run, "cpu"), vaekit.load(run, device)
    x = prepare(cpu, None, "test").x[:n]
    a = cpu.decode(cpu.encode(x).mean).log_prob(x)
    xg = x.to(device)
    b = gpu.decode(gpu.encode(xg).mean).log_prob(xg).cpu()
    return float((a - b).abs().max())


@torch.inference_mode()
def sample_seconds(run: Path, device: str, n: int = 64) -> float:
    model = vaekit.load(run, device)
    model.sample(2, generator=torch.Generator(device).manual_seed(1))  # warm the kernels
    sync(device)
    t = time.perf_counter()
    model.sample(n, generator=torch.Generator(device).manual_seed(0), stochastic=True)
    sync(device)
    return time.perf_counter() - t


def sync(device: str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def same_split(run: Path, device: str) -> bool:
    """The fixed binarization of the held-out split is the same images on the device and the CPU."""
    model = vaekit.load(run, "cpu")
    return torch.equal(prepare(model, None, "test").x,
                       prepare(model, None, "test", device=device).x.cpu())


def evaluate_run(run: Path, k: int, out: Path, device: str) -> dict[str, Any]:
    model = vaekit.load(run, device)
    res = vaekit.evaluate(model, k=k)
    row = {"k": k, "n": res.n, "nll": res.nll, "nll_se": res.nll_se, "neg_elbo": -res.elbo,
           "bits_per_dim": res.bits_per_dim, "kl": res.kl, "seconds": res.seconds}
    print(f"{run}: k={k} IW NLL {res.nll:.2f} ± {res.nll_se:.2f} nats, -ELBO {-res.elbo:.2f}, "
          f"{res.bits_per_dim:.4f} bits/dim, {res.n} images, {res.seconds:.0f} s", flush=True)
    (out / f"eval-k{k}.json").write_text(json.dumps(row, indent=1))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0, help="training budget per preset")
    ap.add_argument("--presets", nargs="*", default=list(PRESETS))
    ap.add_argument("--run", type=Path, help="a trained run to evaluate on CUDA")
    ap.add_argument("--k", type=int, nargs="*", default=[5000])
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "cuda")
    ap.add_argument("--runs", type=Path, default=ROOT / "runs" / "cuda" / "presets")
    ap.add_argument("--device", default="cuda", help="cuda or cuda:N (cpu: a dry run)")
    args = ap.parse_args()
    dev = args.device
    if torch.device(dev).type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA device: this benchmark checks the GPU paths")
    args.out.mkdir(parents=True, exist_ok=True)
    name = torch.cuda.get_device_name(dev) if torch.device(dev).type == "cuda" else dev
    print(torch.__version__, name, flush=True)
    result: dict[str, Any] = {"device": name, "torch": torch.__version__, "presets": {}}

    def save() -> None:
        (args.out / "cuda.json").write_text(json.dumps(result, indent=1))

    runs = {p: args.runs / p for p in args.presets}
    t0 = time.perf_counter()
    trains = {p: cli("train", "--config", str(ROOT / "configs" / f"{p}.yaml"), "--set",
                     f"train.device={dev}", "--minutes", f"{args.seconds / 60:g}", "--out",
                     str(runs[p]), "--no-progress") for p in args.presets}
    if args.run is not None:  # the long evaluation while the presets train
        result["split_same_on_cpu_and_device"] = attempt("same split", same_split, args.run, dev)
        print(f"held-out binarization identical on the CPU and {dev}: "
              f"{result['split_same_on_cpu_and_device']}", flush=True)
        result["run"] = {"path": str(args.run), "evals": []}
        for k in args.k:
            result["run"]["evals"].append(attempt(f"evaluate k={k}", evaluate_run, args.run, k,
                                                  args.out, dev))
            save()
    presets = result["presets"]
    for p, proc in list(trains.items()):
        if not finish(proc, f"train {p} on {dev}"):
            presets[p] = {"failed": "train"}
            del trains[p]
            continue
        rows = read_metrics(runs[p] / "metrics.csv")
        presets[p] = {"epochs": len(rows), "steps": int(rows[-1]["step"]),
                      "steps_per_s": int(rows[-1]["step"]) / sum(float(r["seconds"]) for r in rows)}
    print(f"trained {', '.join(trains)} on {dev} at once ({time.perf_counter() - t0:.0f} s)",
          flush=True)
    save()
    evals = {p: cli("evaluate", str(runs[p]), "--device", dev, "--k", "100",
                    "--out", str(runs[p] / "eval-cuda.json")) for p in trains}
    for p, proc in evals.items():
        if not finish(proc, f"evaluate {p} on {dev}"):
            presets[p]["failed"] = "evaluate"
            continue
        ev = json.loads((runs[p] / "eval-cuda.json").read_text())
        presets[p].update(nll_k100=ev["nll"], seconds_eval=ev["seconds"],
                          max_logp_diff_cpu_device=attempt("same log p", same_on_both, runs[p], dev),
                          seconds_64_samples=attempt("sample", sample_seconds, runs[p], dev))
        print(f"{p}: {presets[p]}", flush=True)
        save()


if __name__ == "__main__":
    main()
