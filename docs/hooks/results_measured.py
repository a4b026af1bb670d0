"""Tables of the studies that measure what vaekit's numbers are worth: anomaly scores
(``benchmarks/anomaly.py``), synthetic rows against TVAE (``benchmarks/tabular.py``) and the
reference model's likelihoods and their speed (``benchmarks/likelihood.py``)."""

from __future__ import annotations

import statistics

from results_io import load, recorded, source_line, table


def anomaly() -> str:
    """AUROC of each score, one Fashion-MNIST class held out at a time, and the mean."""
    name = "anomaly/anomaly.json"
    data = load(name)
    scores = ("nll", "neg_elbo", "recon_error")
    rows = [[f"{r['class']} {r['name']}", *(f"{r['auroc'][s]:.3f}" for s in scores)] for r in data["rows"]]
    rows.append(["mean", *(f"{data['mean'][s]:.3f}" for s in scores)])
    train = statistics.median(r["train_s"] for r in data["rows"])
    score = statistics.median(r["score_s"] for r in data["rows"])
    prov = data["provenance"]
    return (table(["held-out class", f"AUROC IW NLL (k={data['k']})", "AUROC -ELBO", "AUROC recon. error"],
                  rows)
            + f"\n\n{data['epochs']} epochs per class; a class took a median of {train:.0f} s to train "
            f"and {score:.0f} s to score ({prov['threads']} thread of a {prov['cores']}-core machine "
            "shared with other jobs).\n\n" + source_line(name, recorded(data), prov["command"]) + "\n")


def tabular() -> str:
    """vaekit and TVAE trained for the same epochs on diamonds, scored by SDMetrics."""
    name = "tabular/tabular.json"
    data = load(name)
    v, t = data["models"]["vaekit"], data["models"]["tvae"]
    cols = ("quality", "column_shapes", "column_pair_trends")
    best = {c: max((v[c], t[c])) for c in (*cols,)}

    def cell(r: dict, c: str) -> str:
        return f"**{r[c]:.3f}**" if r[c] == best[c] else f"{r[c]:.3f}"

    seconds = min(v["seconds"], t["seconds"])
    rows = [["vaekit (`configs/table.yaml`)", *(cell(v, c) for c in cols),
             f"**{v['seconds']:.0f}**" if v["seconds"] == seconds else f"{v['seconds']:.0f}",
             f"{v['nll']:.2f} ± {v['nll_se']:.2f}"],
            [f"TVAE (ctgan {data['ctgan']} defaults)", *(cell(t, c) for c in cols),
             f"**{t['seconds']:.0f}**" if t["seconds"] == seconds else f"{t['seconds']:.0f}",
             "no likelihood of the rows"]]
    header = [f"{data['epochs']} epochs, diamonds", "quality", "column shapes", "column pair trends",
              "training (s)", f"held-out NLL (nats/row, k={v['k']})"]
    cfg, tv = v["config"], t["config"]
    setup = (f"vaekit: MLP {'-'.join(map(str, cfg['model.hidden']))}, {cfg['model.latent_dim']} latent "
             f"dimensions, free bits {cfg.get('objective.free_bits', 0)} nats per unit, batch "
             f"{cfg['train.batch_size']}, Adam {cfg['train.lr']:g}; it used {v['active_units']} of its "
             f"{v['latent_dim']} latent units. TVAE: {'-'.join(map(str, tv['compress_dims']))}, "
             f"{tv['embedding_dim']} latent dimensions, batch {tv['batch_size']}. Training on "
             f"{data['n_train']:,} rows, {data['n_test']:,} rows drawn from each and scored against "
             f"the {data['n_test']:,} held-out rows (SDMetrics {data['sdmetrics']}); vaekit trained in "
             f"{v['seconds'] / t['seconds']:.2f} of TVAE's time.")
    return (table(header, rows) + "\n\n" + setup + "\n\n"
            + source_line(name, recorded(data), data["provenance"]["command"]) + "\n")


def likelihood() -> str:
    """The reference model's bounds, and the IW estimator's speed against per-example loops."""
    name = "likelihood/likelihood.json"
    data = load(name)
    ev, tm, n = data["evaluate"], data["timers"], data["subset"]

    def ms(key: str) -> str:
        return f"{tm[key]['ms_per_example']:.2f} ms/example"

    def times(key: str) -> str:
        return f"**{tm[key]['vs_vaekit']:.1f}x** vaekit's time"

    images = "all 10,000 test images" if ev["n"] == 10000 else f"the first {ev['n']:,} test images"
    bpd = ev["bits_per_dim_convention"].split(":")[0]
    rows = [
        ["test -ELBO", f"{-ev['elbo']:.2f} ± {ev['elbo_se']:.2f} nats = {ev['elbo_bits_per_dim']:.4f} "
                       f"bits/dim ({bpd})"],
        [f"test NLL, IW bound k={ev['k']}", f"{ev['nll']:.2f} ± {ev['nll_se']:.2f} nats = "
                                            f"{ev['bits_per_dim']:.4f} bits/dim"],
        ["ELBO gap (-ELBO - NLL)", f"{ev['elbo_gap']:.2f} ± {ev['elbo_gap_se']:.2f} nats"],
        ["KL / active units / I(x;z)", f"{ev['kl']:.2f} nats / {ev['active_units']}/{ev['latent_dim']} / "
                                       f"{ev['mi']:.2f} nats"],
        [f"`vaekit.evaluate`, {ev['n']} examples x k={ev['k']}",
         f"{ev['wall_s']:.1f} s wall ({ev['ms_per_example']:.2f} ms/example computing)"],
        [f"vaekit IW estimator (`iw_log_likelihood`), {n} examples",
         f"{ms('vaekit')}, NLL {tm['vaekit']['nll']:.2f}"],
        [f"Pythae-style per example (100 samples/batch), {n} examples",
         f"{ms('pythae_style')}, NLL {tm['pythae_style']['nll']:.2f}: {times('pythae_style')}"],
        [f"per example, all k in one batch, {n} examples",
         f"{ms('one_batch')}, NLL {tm['one_batch']['nll']:.2f}: {times('one_batch')}"],
        [f"small k={tm['vaekit_small_k']['k']}: vaekit vs per example (one batch), {n} examples",
         f"{ms('vaekit_small_k')} vs {ms('one_batch_small_k')}: "
         f"{times('one_batch_small_k')}"],
    ]
    prov = data["provenance"]
    head = (f"Trained {data['epochs']} epochs; bounds on {images} (binarized once, seed fixed), "
            f"D={ev['dims']}; torch {prov['torch']}, {prov['threads']} thread, load average "
            f"{data['load_average']:.1f} when it finished.")
    return (head + "\n\n" + table(["quantity", "value"], rows) + "\n\n"
            + source_line(name, recorded(data), prov["command"]) + "\n")
