"""Rows drawn given a condition, against a Bayesian network whose conditionals are known.

The table comes from a small network: A -> B -> C (categories) and A -> X (a number, N(mu_A, 1),
written with two decimals), so p(A, B | C = c2) and p(A, B | X < 1.5) have closed forms. A
table model with a 2-D latent is trained on it in a few seconds. Two separate claims are checked,
each against its own independent path:

(a) the sampler is exact under the model: the rows that ``vaekit rows --given`` (and ``vaekit
    impute --draws``) draw follow the model's own conditional, computed here by enumerating a
    dense grid of the 2-D latent, sum_z p(z) P(evidence | z) P(A | z) P(B | z) / sum_z p(z)
    P(evidence | z), with P(X < 1.495 | z) from Normal CDFs of the decoder's mixture (not the
    sampler's interval code). This is what a bug in the weights, the truncation or the mapping
    of "X < 1.5" to the model's values would break; tolerance 0.04 in total variation, about
    three times the noise of 3,000 draws.
(b) the model has learned the network: its conditional (the grid) is within 0.08 of the true one
    in total variation. This is a property of training, not of the sampler, and is looser.

And every row meets its condition exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from cli_support import run_cli

import vaekit

pd = pytest.importorskip("pandas")
scipy_stats = pytest.importorskip("scipy.stats")

P_A = np.array([0.5, 0.3, 0.2])
P_B1 = np.array([0.2, 0.7, 0.5])  # P(B = b1 | A)
P_C = np.array([[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]])  # P(C | B)
MU = np.array([0.0, 3.0, 6.0])  # X | A ~ N(MU[A], 1)
X_BELOW = 1.495  # X written with two decimals is below 1.5 exactly when X < 1.495
A_NAMES, B_NAMES = ["a0", "a1", "a2"], ["b0", "b1"]


def _network(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.choice(3, n, p=P_A)
    b = (rng.random(n) < P_B1[a]).astype(int)
    c = (rng.random(n)[:, None] > np.cumsum(P_C[b], 1)).sum(1)
    return pd.DataFrame({"A": np.array(A_NAMES)[a], "B": np.array(B_NAMES)[b],
                         "C": np.array(["c0", "c1", "c2"])[c],
                         "X": rng.normal(MU[a], 1.0).round(2)})


def _true_ab(evidence: np.ndarray) -> np.ndarray:
    """P(A, B | evidence) (3, 2) from P(evidence | A, B) (3, 2)."""
    joint = P_A[:, None] * np.stack([1 - P_B1, P_B1], 1) * evidence
    return joint / joint.sum()


def _tv(p: np.ndarray, q: np.ndarray) -> float:
    return 0.5 * float(np.abs(p - q).sum())


def _frequencies(rows: pd.DataFrame) -> np.ndarray:
    counts = pd.crosstab(rows["A"].astype(str), rows["B"].astype(str))
    return counts.reindex(index=A_NAMES, columns=B_NAMES, fill_value=0).to_numpy() / len(rows)


@pytest.fixture(scope="module")
def network_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("network")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small tensors: one thread, as the one_thread fixture
    try:
        vaekit.train({"data": {"cache_dir": str(root / "cache")},
                      "model": {"latent_dim": 2, "hidden": [64]},
                      "train": {"epochs": 40, "batch_size": 128, "lr": 0.005}},
                     out=root / "run", data=_network(4000, 0))
    finally:
        torch.set_num_threads(threads)
    return root / "run", _model_ab(root / "run")


def _model_ab(run) -> dict[str, np.ndarray]:
    """The model's own P(A, B | C = c2), P(A, B | X < 1.5) and P(X < 1.5) by enumerating a
    161 x 161 grid of the 2-D latent on [-6, 6]^2."""
    from vaekit.artifacts.run_context import RunContext

    ctx = RunContext.open(run)
    model, codec = ctx.model, ctx.codec
    assert codec.columns == ["A", "B", "C", "X"]
    g = torch.linspace(-6, 6, 161)
    z = torch.cartesian_prod(g, g)
    with torch.no_grad():
        px = model.decode(z)
        log_pz = model.prior.log_prob(z)
        probs = [torch.softmax(px.cat_logits[:, i, :size], -1)
                 for i, size in enumerate((3, 2, 3))]
        w, m, s = px.value_mixture()
        below = (w[:, 0].exp() * torch.distributions.Normal(m[:, 0], s[:, 0]).cdf(
            torch.tensor(X_BELOW))).sum(-1)
    out = {}
    for name, evidence in (("C=c2", probs[2][:, 2]), ("X<1.5", below)):
        post = torch.softmax(log_pz + torch.log(evidence), 0)
        out[name] = (post[:, None, None] * probs[0][:, :, None] * probs[1][:, None, :]).sum(0
                                                                                        ).numpy()
    out["P(X<1.5)"] = float((torch.softmax(log_pz, 0) * below).sum())
    return out


def test_rows_given_a_value_or_a_range_follow_the_models_and_the_networks_conditional(
        capsys, network_run, tmp_path, one_thread):
    network_run, model = network_run
    below = scipy_stats.norm.cdf(X_BELOW - MU)[:, None]
    truth = {"C=c2": _true_ab(np.broadcast_to(P_C[:, 2][None, :], (3, 2))),
             "X<1.5": _true_ab(np.broadcast_to(below, (3, 2)))}
    for given in ("C=c2", "X<1.5"):
        out_file = tmp_path / "rows.csv"
        code, out, err = run_cli(capsys, "rows", str(network_run), "-n", "3000", "--given",
                                 given, "--k", "128", "--out", str(out_file))
        assert code == 0, err
        assert f"given {given}" in out and "effective sample size" in out
        rows = pd.read_csv(out_file)
        assert (rows["C"] == "c2").all() if given == "C=c2" else (rows["X"] < 1.5).all()
        drawn = _frequencies(rows)
        assert _tv(drawn, model[given]) < 0.04, (given, drawn, model[given])  # (a)
        assert _tv(model[given], truth[given]) < 0.08, (given, model[given], truth[given])  # (b)
    # A constraint alone: the share of rows it removes is the model's P(X >= 1.5).
    kept = vaekit.rows(network_run, n=500, constraints=["X<1.5"], k=128)
    assert (kept["X"] < 1.5).all()
    assert abs(kept.attrs["conditional"]["broken"] - (1 - model["P(X<1.5)"])) < 0.02


def test_imputed_draws_given_a_value_follow_the_models_conditional(capsys, network_run,
                                                                    tmp_path, one_thread):
    """``vaekit impute --method sample --draws 3`` on 1,000 rows that hold only C = c2: the
    3,000 filled (A, B) against the same grid (a) and the network (b)."""
    network_run, model = network_run[0], network_run[1]["C=c2"]
    gaps = pd.DataFrame({"A": [None] * 1000, "B": None, "C": "c2", "X": None})
    gaps.to_csv(tmp_path / "gaps.csv", index=False)
    code, _, err = run_cli(capsys, "impute", str(network_run), "--data",
                             str(tmp_path / "gaps.csv"), "--method", "sample", "--draws", "3",
                             "--k", "128", "--out", str(tmp_path / "filled.csv"))
    assert code == 0, err
    filled = pd.read_csv(tmp_path / "filled.csv")
    assert len(filled) == 3000 and (filled["C"] == "c2").all()
    drawn = _frequencies(filled)
    assert _tv(drawn, model) < 0.04, (drawn, model)
    assert _tv(model, _true_ab(np.broadcast_to(P_C[:, 2][None, :], (3, 2)))) < 0.08
