"""Two CPU processes under torchrun (gloo + DDP): identical weights, falling loss, one writer,
one stop at a time budget."""

import csv
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import hashlib, os, sys
import torch
import vaekit
# With the recipe: every rank skips the same steps (one norm of the averaged gradients) and
# keeps the same moving average, whose weights run.model holds.
run = vaekit.train({"model": {"hidden": [32], "latent_dim": 4,
                              "likelihood": "continuous_bernoulli"},
                    "train": {"epochs": 3, "batch_size": 64, "lr": 3e-3, "optimizer": "adamw",
                              "warmup_steps": 10, "lr_schedule": "cosine", "ema": 0.9,
                              "skip_grad_norm": 50.0}}, out=sys.argv[1])
h = hashlib.sha256()
for k, v in sorted(run.model.state_dict().items()):
    h.update(k.encode()); h.update(v.detach().cpu().numpy().tobytes())
open(os.path.join(sys.argv[2], f"rank{os.environ['RANK']}.sha"), "w").write(h.hexdigest())
"""


def test_two_processes_train_in_lockstep_and_write_the_run_once(tmp_path: Path):
    script = tmp_path / "ddp_train.py"
    script.write_text(SCRIPT)
    run = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(script), str(run), str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    hashes = {p.read_text() for p in tmp_path.glob("rank*.sha")}
    assert len(list(tmp_path.glob("rank*.sha"))) == 2 and len(hashes) == 1
    with open(run / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert float(rows[-1]["val_loss"]) < float(rows[0]["val_loss"])
    # The global batch of 64 is split 32 + 32: the step count is that of one process.
    assert int(rows[0]["step"]) == -(-1294 // 64)  # 1,438 training digits less 144 validation
    leftovers = [p.name for p in run.rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_cli_nproc_launches_torchrun(tmp_path: Path):
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "vaekit", "train", "--nproc", "2", "--epochs", "1", "--out",
         str(out), "--set", "model.hidden=[16]", "--set", "model.latent_dim=2",
         "--minutes", "0.0005"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "model.safetensors").exists() and f"run folder: {out}" in proc.stdout
    # One process speaks for the run: every line once, not once per rank.
    assert proc.stdout.count("run folder:") == 1 and proc.stdout.count("epoch   1 ") == 1
    # Rank 0's clock ends the budget for both ranks: a disagreement would hang DDP here.
    assert proc.stdout.count("time budget of 0.0005 min spent") == 1
    with open(out / "metrics.csv") as f:
        assert [r["epoch"] for r in csv.DictReader(f)] == ["1"]


VQ_SCRIPT = """
import os, sys
import torch
import torch.distributed as dist
from vaekit.model.latents.vector_quantized import VectorQuantizer
dist.init_process_group("gloo")
rank = dist.get_rank()
for ema, restart in [(True, 0.0), (False, 0.9)]:
    torch.manual_seed(0)
    q = VectorQuantizer(8, 4, codebook_size=16, code_dim=2, ema=ema, restart_below=restart).train()
    for step in range(3):
        h = torch.randn(12, 8, generator=torch.Generator().manual_seed(100 * step + rank))
        q(h)
    torch.save(q.codebook.detach().clone(), os.path.join(sys.argv[1], f"book{int(ema)}_{rank}.pt"))
dist.destroy_process_group()
"""


def test_vq_codebook_statistics_are_those_of_the_global_batch(tmp_path: Path):
    """Two ranks with different data keep one codebook: the EMA step equals one process's step
    on both shards together, and restarted dead codes are the same on every rank."""
    import torch

    from vaekit.model.latents.vector_quantized import VectorQuantizer

    script = tmp_path / "vq.py"
    script.write_text(VQ_SCRIPT)
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(script), str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    books = {name: torch.load(tmp_path / f"{name}.pt") for name in
             ("book1_0", "book1_1", "book0_0", "book0_1")}
    assert torch.equal(books["book1_0"], books["book1_1"])
    assert torch.equal(books["book0_0"], books["book0_1"])
    torch.manual_seed(0)
    one = VectorQuantizer(8, 4, codebook_size=16, code_dim=2, ema=True, restart_below=0.0).train()
    for step in range(3):
        one(torch.cat([torch.randn(12, 8, generator=torch.Generator().manual_seed(100 * step + r))
                       for r in (0, 1)]))
    assert torch.allclose(books["book1_0"], one.codebook, atol=1e-5)
