"""Start-up time of the commands that need no model, against Python itself and `import torch`.

Each command runs as a fresh `python -m vaekit ...` process, N times, round-robin with the two
baselines (`python -c pass` and `python -c "import torch"`) so that a busy machine slows them all
alike; the table gives the median and fastest wall time and the median's ratio to each baseline.

    python -m benchmarks.startup            # 7 runs each
    python -m benchmarks.startup --runs 15

Results: benchmarks/results/performance/startup.json, with provenance.

The machine may be shared: quote the numbers with that in mind (the ratios travel better).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from benchmarks.provenance import ROOT, write_results

BASELINES = {"python -c pass": ["-c", "pass"], 'python -c "import torch"': ["-c", "import torch"]}
COMMANDS = {
    "vaekit --help": ["--help"],
    "vaekit --version": ["--version"],
    "vaekit train --help": ["train", "--help"],
    "vaekit validate configs/digits_mlp.yaml": ["validate", "configs/digits_mlp.yaml"],
    # Sets objective options, whose values only the objective's own code (and torch) can check.
    "vaekit validate configs/iwae.yaml": ["validate", "configs/iwae.yaml"],
}


def wall(args: list[str]) -> float:
    """Seconds for one process ``python *args`` to run to its end (output discarded)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    t = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command")
    runs = parser.parse_args().runs
    cases = {**BASELINES, **{k: ["-m", "vaekit", *v] for k, v in COMMANDS.items()}}
    times: dict[str, list[float]] = {k: [] for k in cases}
    for args in cases.values():  # warm the file cache once
        wall(args)
    for _ in range(runs):
        for name, args in cases.items():
            times[name].append(wall(args))
    med = {k: statistics.median(v) for k, v in times.items()}
    bare, torch = med["python -c pass"], med['python -c "import torch"']
    width = max(map(len, cases))
    print(f"{'command':<{width}}  median s  fastest s  x python  x import torch")
    for name in cases:
        print(f"{name:<{width}}  {med[name]:8.3f}  {min(times[name]):9.3f}  {med[name] / bare:8.1f}"
              f"  {med[name] / torch:14.2f}")
    print(f"\n{runs} runs each, round-robin; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    write_results(ROOT / "benchmarks" / "results" / "performance" / "startup.json", {
        "runs": runs, "rows": [{"command": name, "median_s": med[name], "fastest_s": min(times[name]),
                                "vs_python": med[name] / bare, "vs_import_torch": med[name] / torch}
                               for name in cases]})


if __name__ == "__main__":
    main()
