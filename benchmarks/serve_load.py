"""Load on `vaekit serve`: N concurrent clients x M decode requests on loopback, latency table.

Starts `python -m vaekit serve RUN --port 0` as a child process on 127.0.0.1 (a free port), lets
each client thread send its M POST /api/decode requests one after another on its own keep-alive
connection (random codes of the run's latent size, seeded), then stops the server and prints
the median and p99 latency. Bounded: at most 64 clients x 2000 requests and --time-limit
seconds, after which the clients stop early. Exit status 1 if any request failed.

    python -m benchmarks.serve_load --clients 8 --requests 100           # a tiny digits run
    python -m benchmarks.serve_load --run runs/fm --clients 4 --codes 16  # your run, 16 codes/request

Without --run it first trains a tiny digits run (a few seconds) in a temporary folder. Only the
loopback address is used. The machine may be shared: quote the numbers with that in mind.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"


def tiny_run(folder: Path) -> Path:
    """A 2-epoch digits run (MLP 64-32-4), trained in ``folder``."""
    import warnings

    from vaekit.config.load import load_config
    from vaekit.training.trainer import train

    cfg = load_config(overrides=["model.hidden=[32]", "model.latent_dim=4", "train.epochs=2"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(cfg, folder / "tiny", progress=False)
    return folder / "tiny"


def start_server(run: Path, threads: int, timeout: float = 120.0) -> tuple[subprocess.Popen, int]:
    """The server as a child process and its port, read from the URL it prints."""
    cmd = [sys.executable, "-m", "vaekit", "serve", str(run), "--host", HOST, "--port", "0",
           "--threads", str(threads)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": str(threads)})
    found: list[int] = []

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            if f"http://{HOST}:" in line and not found:
                found.append(int(line.split(f"http://{HOST}:")[1].split("/")[0]))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            err = proc.stderr.read() if proc.stderr else ""  # type: ignore[union-attr]
            raise SystemExit(f"the server did not start: {err.strip()[-500:]}")
        time.sleep(0.05)
    return proc, found[0]


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def post(conn: http.client.HTTPConnection, path: str, body: dict) -> tuple[int, bytes]:
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def client(port: int, dim: int, requests: int, codes: int, seed: int, deadline: float,
           latencies: list[float], errors: list[str]) -> None:
    """One client: ``requests`` decodes of ``codes`` random codes each, one at a time."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for _ in range(requests):
            if time.monotonic() > deadline:
                break
            z = [[rng.gauss(0, 1) for _ in range(dim)] for _ in range(codes)]
            t = time.perf_counter()
            try:
                status, data = post(conn, "/api/decode", {"z": z})
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            latencies.append(time.perf_counter() - t)
            if status != 200 or len(json.loads(data)["images"]) != codes:
                errors.append(f"status {status}: {data[:200]!r}")
    finally:
        conn.close()


def percentile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, help="run folder to serve (default: train a tiny digits run)")
    ap.add_argument("--clients", type=int, default=8, choices=range(1, 65), metavar="1..64")
    ap.add_argument("--requests", type=int, default=100, choices=range(1, 2001), metavar="1..2000",
                    help="decode requests per client")
    ap.add_argument("--codes", type=int, default=1, choices=range(1, 65), metavar="1..64",
                    help="codes per request (decoded in one batch)")
    ap.add_argument("--threads", type=int, default=1, choices=range(1, 9), metavar="1..8",
                    help="the server's torch threads")
    ap.add_argument("--time-limit", type=float, default=120.0,
                    help="seconds after which the clients stop early (at most 600)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    limit = min(max(args.time_limit, 1.0), 600.0)

    with tempfile.TemporaryDirectory() as tmp:
        run = args.run or tiny_run(Path(tmp))
        proc, port = start_server(run, args.threads)
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            conn.request("GET", "/api/info")
            info = json.loads(conn.getresponse().read())
            dim = info["latent_dim"]
            for _ in range(5):  # warm-up
                post(conn, "/api/decode", {"z": [0.0] * dim})
            conn.close()
            latencies: list[float] = []
            errors: list[str] = []
            deadline = time.monotonic() + limit
            workers = [threading.Thread(target=client, args=(port, dim, args.requests, args.codes,
                                                             args.seed + i, deadline, latencies,
                                                             errors))
                       for i in range(args.clients)]
            t0 = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            wall = time.perf_counter() - t0
        finally:
            stop_server(proc)

    done, planned = len(latencies), args.clients * args.requests
    print(f"\nvaekit serve {info['name']} ({info['data']}, {dim}-D latent, {info['shape'][2]}x"
          f"{info['shape'][1]} {info['mode']}), loopback, server torch threads {args.threads}, "
          f"{os.cpu_count()} CPUs\n")
    print("| clients | requests | codes/request | wall s | requests/s | median ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    med = percentile(latencies, 50) * 1e3 if latencies else float("nan")
    p99 = percentile(latencies, 99) * 1e3 if latencies else float("nan")
    print(f"| {args.clients} | {done}/{planned} | {args.codes} | {wall:.2f} | {done / wall:.0f} | "
          f"{med:.1f} | {p99:.1f} | {len(errors)} |")
    if done < planned:
        print(f"\nstopped early at the time limit ({limit:.0f} s)")
    if errors:
        print(f"\nfirst error: {errors[0]}")
        sys.exit(1)


if __name__ == "__main__":
    main()
