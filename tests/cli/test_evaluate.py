"""``vaekit evaluate`` and ``vaekit train --eval-k``: eval.json with every field; bad input."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import torch
from cli_support import TINY, assert_one_line_error, run_cli

FIELDS = {
    "split", "n", "k", "seed", "likelihood", "binarization", "data", "elbo", "elbo_se", "recon",
    "recon_se", "kl", "kl_se", "nll", "nll_se", "elbo_gap", "elbo_gap_se", "bits_per_dim",
    "elbo_bits_per_dim", "bits_per_dim_convention", "dims", "kl_per_dim", "active_units",
    "latent_dim", "mi", "mse", "warnings", "seconds", "units", "vaekit_version", "layers", "prior",
    "log_jacobian", "deterministic",
}


@pytest.fixture
def run_copy(tiny_run, tmp_path) -> Path:
    dst = tmp_path / "run"
    shutil.copytree(tiny_run, dst)
    return dst


def check_eval(path: Path, k: int, split: str = "test") -> dict:
    ev = json.loads(path.read_text())
    assert set(ev) == FIELDS
    assert ev["k"] == k and ev["split"] == split and ev["likelihood"] == "discretized_logistic"
    assert ev["binarization"] == "none" and ev["data"] == "digits"
    for key in ("elbo", "recon", "kl", "nll", "elbo_gap", "bits_per_dim", "mi", "mse",
                *(f"{t}_se" for t in ("elbo", "recon", "kl", "nll", "elbo_gap"))):
        assert math.isfinite(ev[key]), key
    assert ev["elbo"] < 0 < ev["nll"] and -ev["nll"] >= ev["elbo"]  # the signs are a contract
    assert ev["elbo_gap"] == pytest.approx(-ev["elbo"] - ev["nll"])
    assert sum(ev["kl_per_dim"]) == pytest.approx(ev["kl"])
    assert ev["bits_per_dim"] == pytest.approx(ev["nll"] / (64 * math.log(2)))
    assert ev["bits_per_dim_convention"].startswith("discrete")
    return ev


def test_evaluate_writes_eval_json_and_prints_a_table(capsys, run_copy):
    code, out, err = run_cli(capsys, "evaluate", str(run_copy), "--k", "50", "--seed", "3")
    assert code == 0, err
    ev = check_eval(run_copy / "eval.json", 50)
    assert ev["seed"] == 3 and ev["n"] == 359  # every example of the digits' held-out split
    assert "NLL" in out and f"{ev['nll']:.3f}" in out and "bits/dim" in out
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--k", "5", "--split", "train",
                           "--out", str(run_copy / "train.json"))
    assert code == 0, err
    assert check_eval(run_copy / "train.json", 5, "train")["n"] == 1294  # 1,438 less 144 validation


def test_an_interrupted_evaluation_resumes_to_the_uninterrupted_numbers(capsys, run_copy,
                                                                       monkeypatch):
    from vaekit.store.eval_journal import EvalJournal

    args = ("evaluate", str(run_copy), "--k", "7", "--batch-size", "100")
    code, _, err = run_cli(capsys, *args, "--out", str(run_copy / "whole.json"))
    assert code == 0, err
    assert not (run_copy / "whole.json.partial").exists()  # gone once the result is written

    record = EvalJournal.record

    def interrupt_at_the_third_batch(self, batch):
        if self.kept == 2:
            raise KeyboardInterrupt
        record(self, batch)

    def interrupted() -> None:
        with monkeypatch.context() as m:
            m.setattr(EvalJournal, "record", interrupt_at_the_third_batch)
            code, _, err = run_cli(capsys, *args)
        assert code == 130 and "interrupted after 200 of 359 examples" in err

    interrupted()
    assert not (run_copy / "eval.json").exists()
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "resuming: 200 of 359 examples were evaluated" in out
    assert not (run_copy / "eval.json.partial").exists()
    whole, resumed = (json.loads((run_copy / f).read_text()) for f in ("whole.json", "eval.json"))
    assert {**resumed, "seconds": 0} == {**whole, "seconds": 0}  # draw for draw
    # Another evaluation (here another k) does not take the batches over.
    interrupted()
    code, out, err = run_cli(capsys, *args[:3], "9", *args[4:])
    assert code == 0 and "resuming" not in out, err
    assert json.loads((run_copy / "eval.json").read_text())["k"] == 9
    assert not (run_copy / "eval.json.partial").exists()


def test_train_with_eval_k_writes_eval_json(capsys, tmp_path):
    out = tmp_path / "new"
    code, stdout, err = run_cli(capsys, "train", *TINY, "--eval-k", "20", "--out", str(out))
    assert code == 0, err
    check_eval(out / "eval.json", 20)
    assert "NLL (IW bound, k=20)" in stdout


def test_bad_input_is_one_line_exit_2(capsys, run_copy, tmp_path):
    code, _, err = run_cli(capsys, "evaluate", str(tmp_path / "nowhere"))
    assert_one_line_error(code, err, "nowhere")
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--split", "valid")
    assert_one_line_error(code, err, "valid")
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--k", "0")
    assert_one_line_error(code, err, "--k")
    code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--device", "gpu0")
    assert_one_line_error(code, err, "--device", "gpu0")
    if not torch.cuda.is_available():
        code, _, err = run_cli(capsys, "evaluate", str(run_copy), "--device", "cuda")
        assert_one_line_error(code, err, "--device", "no GPU")
    assert not (run_copy / "eval.json").exists()
    (run_copy / "model.safetensors").write_bytes(b"\x00" * 10)
    code, _, err = run_cli(capsys, "evaluate", str(run_copy))
    assert_one_line_error(code, err, "model.safetensors")
    assert not (run_copy / "eval.json").exists()
    (run_copy / "config.json").write_text("{not json")
    code, _, err = run_cli(capsys, "evaluate", str(run_copy))
    assert_one_line_error(code, err, "config.json")


def test_eval_json_is_strict_json_and_a_nan_is_an_error_naming_it(tmp_path):
    from vaekit.errors import UserError
    from vaekit.store.eval_file import read_eval, write_eval

    class Result:
        def __init__(self, nll: float) -> None:
            self.nll = nll

        def to_dict(self) -> dict:
            return {"nll": self.nll, "layers": [{"kl": 1.0}], "k": 5}

    out = tmp_path / "eval.json"
    write_eval(Result(3.5), out)
    before = out.read_bytes()
    json.loads(before, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    with pytest.raises(UserError, match="non-finite nll; nothing was written"):
        write_eval(Result(float("nan")), out)
    assert out.read_bytes() == before and read_eval(out)["nll"] == 3.5


def test_a_pickle_payload_in_a_checkpoint_never_runs(tmp_path):
    """A state.pt that would run code when unpickled is refused by weights_only loading."""
    import pickle

    from vaekit.errors import RunError
    from vaekit.store.checkpoint import load_checkpoint

    class Boom:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    (tmp_path / "checkpoints" / "epoch-0001").mkdir(parents=True)
    (tmp_path / "checkpoints" / "latest").write_text("epoch-0001\n")
    (tmp_path / "checkpoints" / "epoch-0001" / "state.pt").write_bytes(pickle.dumps(Boom()))
    with pytest.raises(RunError, match="corrupt"):
        load_checkpoint(tmp_path)
    assert not (tmp_path / "pwned").exists()
