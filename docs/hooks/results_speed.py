"""Tables of the speed studies on the Performance page: training throughput
(``benchmarks/throughput.py``), the IW NLL's speed (``evaluate_speed.py``), the conv
architecture's forms (``conv.py``), peak memory (``memory.py``) and start-up (``startup.py``),
each under ``benchmarks/results/performance/``; and the image scale benchmark
(``scale_images.py``)."""

from __future__ import annotations

from results_io import load, rate, ratio, recorded, source_line, table

NAMES = {"per-example DataLoader": "per-example Dataset + DataLoader"}


def _source(name: str, data: dict) -> str:
    return source_line(name, recorded(data), data["provenance"]["command"]) + "\n"


def _machine(data: dict) -> str:
    prov = data["provenance"]
    threads = f"{prov['threads']} torch thread" + ("s" if prov["threads"] != 1 else "")
    return f"{prov['cpu']}, {threads} of {prov['cores']} cores, {prov['date'][:10]}"


def throughput() -> str:
    """vaekit's trainer against a per-example DataLoader loop and a bare tensor loop."""
    name = "performance/throughput.json"
    data = load(name)
    cols = data["contenders"]
    header = ["", *(NAMES.get(c, c) for c in cols)]

    def line(label: str, fmt) -> list[str]:
        return [label, *(fmt(c) for c in cols.values())]

    def reach(c: dict) -> str:
        return "not reached" if c["reach_s"] is None else f"{c['reach_s']:.1f} s"

    rows = [line("samples/s (median epoch)", lambda c: f"{c['samples_per_s']:,.0f}"),
            line("seconds per epoch (median)", lambda c: f"{c['median_epoch_s']:.2f}"),
            line("speed-up vs the DataLoader (median of per-epoch ratios)", lambda c: f"{c['speedup']:.2f}x"),
            line("epoch time / arithmetic limit", lambda c: f"{c['vs_limit']:.2f}"),
            line(f"held-out -ELBO after {data['epochs']} epochs (nats)",
                 lambda c: f"{c['test_loss'][-1]:.2f}"),
            line(f"training seconds to reach {data['quality_nats']:g} nats", reach)]
    head = (f"{_machine(data)}: matmul peak at the workload's shapes {data['matmul_peak_flops'] / 1e9:.1f} "
            f"GFLOP/s in that run; {data['flops_per_example'] / 1e6:.2f} MFLOP per example per step, so "
            f"the arithmetic alone takes {data['limit_s']:.2f} s per epoch. vaekit's epoch takes "
            f"{data['vaekit_vs_bare']:.3f} times the bare loop's (median of the per-epoch ratios).")
    return head + "\n\n" + table(header, rows) + "\n\n" + _source(name, data)


def evaluate_speed() -> str:
    """The IW NLL of the reference model by three estimators on the same weights."""
    name = "performance/evaluate_speed.json"
    data = load(name)
    rows = []
    for r in data["rows"]:
        scaled = r["n"] != data["n"]
        rows.append([r["estimator"], f"{r['nll']:.2f}" + (f" on {r['n']} ex." if scaled else ""),
                     f"{r['seconds_all']:.1f}" + (f" (from {r['n']} ex.)" if scaled else ""),
                     f"{r['samples_per_s']:,.0f}", f"{r['vs_limit']:.2f}"])
    head = (f"{_machine(data)}: k = {data['k']} on the first {data['n']:,} test images of the reference "
            f"model trained {data['train_epochs']} epochs ({data['flops_per_sample'] / 1e6:.2f} MFLOP per "
            f"sample, so {data['limit_s']:.1f} s of arithmetic at the "
            f"{data['matmul_peak_flops'] / 1e9:.1f} GFLOP/s measured in the same run). vaekit is "
            f"{data['vs_straightforward']:.2f}x faster than the straightforward estimator; their NLLs "
            f"differ by {data['nll_difference']:+.3f} nats (standard error over the images "
            f"{data['nll_se']:.3f}).")
    return (head + "\n\n" + table(["estimator", "NLL (nats)", f"wall s ({data['n']:,} images)", "samples/s",
                                   "time / arithmetic limit"], rows) + "\n\n" + _source(name, data))


def conv() -> str:
    """Training steps of the conv architecture: NCHW, channels-last, channels-last compiled."""
    name = "performance/conv.json"
    data = load(name)
    rows = [[r["form"], f"{r['samples_per_s']:,.0f}", f"{r['vs_nchw']:.2f}x", f"{r['warmup_s']:.1f}"]
            for r in data["rows"]]
    head = f"{_machine(data)}; batch {data['batch']}, {data['rounds']} rounds of {data['steps']} steps."
    out = head + "\n\n" + table(["form", f"samples/s (median of {data['rounds']} rounds)", "vs NCHW",
                                 "warm-up s"], rows) + "\n\n"
    eager, compiled = data["rows"][1], data["rows"][2] if len(data["rows"]) > 2 else None
    if compiled is not None:
        ratio = compiled["samples_per_s"] / eager["samples_per_s"]
        out += (f"The compiled step ran at {ratio:.2f} times the eager channels-last step's samples/s, "
                f"after {compiled['warmup_s']:.0f} s of compilation.\n\n")
    return out + _source(name, data)


def memory() -> str:
    """Peak RSS of a one-epoch Fashion-MNIST run, loaded and memory-mapped."""
    name = "performance/memory.json"
    data = load(name)
    rows = [["python + torch + vaekit imported", f"{data['imported_mb']:.0f}"],
            ["`vaekit train --data fashion-mnist` (1 epoch)", f"{data['loaded_mb']:.0f}"],
            ["the same data from a memory-mapped .npy (`data.mmap=true`)", f"{data['mapped_mb']:.0f}"]]
    head = f"{_machine(data)}; the training images are {data['data_mb']:.0f} MB as uint8."
    return head + "\n\n" + table(["process", "peak RSS (MB)"], rows) + "\n\n" + _source(name, data)


def startup() -> str:
    """Wall time of the commands that need no model, against Python and ``import torch``."""
    name = "performance/startup.json"
    data = load(name)
    rows = [[f"`{r['command']}`", f"{r['median_s']:.3f}", f"{r['fastest_s']:.3f}", f"{r['vs_python']:.1f}",
             f"{r['vs_import_torch']:.2f}"] for r in data["rows"]]
    head = f"{_machine(data)}; {data['runs']} runs of each, round-robin."
    return (head + "\n\n" + table(["command", "median s", "fastest s", "x python", "x import torch"], rows)
            + "\n\n" + _source(name, data))


LEVERS = ("bf16 autocast", "fp32, batch 256", "torch.compile (fp32)")


def levers() -> str:
    """Each speed lever of the presets as a ratio to the plain fp32 step at batch 128."""
    name = "performance/levers.json"
    data = load(name)

    rows = []
    for preset, forms in data["presets"].items():
        compiled = forms.get("torch.compile (fp32)")
        cells = [f"{forms[f]['vs_fp32']:.2f}x" for f in LEVERS[:2]]
        cells.append("" if compiled is None else f"{compiled['vs_fp32']:.2f}x ({compiled['warmup_s']:.0f} s)")
        rows.append([f"`{preset}`", f"{forms['fp32, batch 128']['samples_per_s']:,.0f}", *cells])
    head = (f"Training samples/s of the plain step and each lever's ratio to it, {data['rounds']} rounds "
            f"of {data['steps']} steps per form, round-robin.")
    header = ["preset", "fp32, batch 128 (samples/s)", "bf16 autocast", "fp32, batch 256",
              "`torch.compile` (compile time)"]
    return head + "\n\n" + table(header, rows) + "\n\n" + _source(name, data)


def scale_images(name: str = "scale/scale-images.json") -> str:
    """Training images/s and peak memory (the process and its largest loader worker) against
    the images in tar shards, decoded into memory and streamed (``name``)."""
    data = load(name)
    out = ["| images | mode | loading (s) | images/s of training | streamed / in memory | "
           "peak memory (MB) | largest loader worker (MB) |", "|---|---|---|---|---|---|---|"]
    for r in data["rows"]:
        if "images_per_s" in r:
            worker = f"{r['workers_peak_rss_mb']:,.0f}" if r["workers_peak_rss_mb"] else "-"
            out.append(f"| {r['images']:,} | {r['mode']} | {r['load_s']:.0f} | "
                       f"{rate(r, 'images_per_s')} | {ratio(r)} "
                       f"| {r['peak_rss_mb']:,.0f} | {worker} |")
        else:
            out.append(f"| {r['images']:,} | {r['mode']} | {r.get('skipped') or r.get('failed')} "
                       "| | | | |")
    return "\n".join(out) + "\n\n" + _source(name, data)
