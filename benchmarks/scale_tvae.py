"""SDV's TVAE (the ``ctgan`` package) on the files of the scale benchmark: one measurement in
this process, as ``benchmarks.scale`` takes it of vaekit.

TVAE has no streaming: it fits a DataFrame held in memory, its transformer (a Bayesian mixture
per number column) on all the rows, then trains whole epochs. So the table is read whole, TVAE
trains the fewest epochs that cover at least ``steps`` batches of ``batch`` rows, and the rows/s
are those of its epochs alone: the clock starts when its data loader is made (after the
transformer), which the loading time includes.
"""

from __future__ import annotations

import math
import resource
import time
from typing import Any

DISCRETE = ["city", "member"]  # the columns of benchmarks.scale.write_table that are not numbers


def tvae_child(path: str, steps: int, batch: int) -> dict[str, float]:
    """Load the table at ``path`` (a folder of Parquet files) whole and fit TVAE on it (CPU,
    the package's defaults but ``batch``); rows/s of training and peak resident memory (MB)."""
    import ctgan.synthesizers.tvae as tvae
    import pyarrow.parquet as pq
    import torch

    torch.manual_seed(0)
    t0 = time.perf_counter()
    frame = pq.read_table(path).to_pandas()
    # Adam's first construction imports torch's compiler (seconds): loading, as for vaekit.
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    epochs = max(1, math.ceil(steps * batch / len(frame)))
    started: list[float] = []
    make_loader = tvae.DataLoader

    def loader(*args: Any, **kwargs: Any) -> Any:  # the transformer is done: training starts
        started.append(time.perf_counter())
        return make_loader(*args, **kwargs)

    tvae.DataLoader = loader
    try:
        model = tvae.TVAE(batch_size=batch, epochs=epochs, enable_gpu=False)
        model.fit(frame, discrete_columns=DISCRETE)
    finally:
        tvae.DataLoader = make_loader
    end = time.perf_counter()
    taken = epochs * math.ceil(len(frame) / batch)
    return {"load_s": started[0] - t0, "steps": taken, "epochs": epochs,
            "rows_per_s": epochs * len(frame) / (end - started[0]),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
