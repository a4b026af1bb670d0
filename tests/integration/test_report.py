"""The run report: written by `vaekit train`, self-contained, every picture a decodable PNG."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from vaekit.cli.main import main
from vaekit.report.file import write_report
from vaekit.store.metrics import read_metrics

TINY = ["--set", "model.hidden=[16]", "--set", "model.latent_dim=2", "--epochs", "2",
        "--no-progress"]


def embedded_pngs(html: str) -> list[Image.Image]:
    images = []
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', html):
        img = Image.open(io.BytesIO(base64.b64decode(data)))
        img.load()  # raises if the PNG is truncated or corrupt
        images.append(img)
    return images


def test_train_writes_a_self_contained_report(capsys, tmp_path):
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as exc:
        main(["train", *TINY, "--out", str(out)])
        raise SystemExit(0)
    assert (exc.value.code or 0) == 0
    assert f"report:     {out / 'report.html'}" in capsys.readouterr().out
    html = (out / "report.html").read_text()
    # Self-contained: no scripts, no external resources, every image inline.
    assert "<script" not in html and not re.search(r'(src|href)="(https?:)?//', html)
    assert all(src.startswith("data:") for src in re.findall(r'src="([^"]+)"', html))
    for ident in ("metrics", "curves", "samples", "reconstructions", "interpolations",
                  "traversals", "manifold", "latent-map", "config"):
        assert f'id="{ident}"' in html, ident
    pngs = embedded_pngs(html)
    # curves, samples, reconstructions, 2 interpolations, traversals, manifold, latent map
    assert len(pngs) == 8 and all(min(p.size) > 10 for p in pngs)
    last = read_metrics(out / "metrics.csv")[-1]
    assert f"{float(last['val_loss']):.6g}" in html and "continuous_bernoulli" not in html
    assert "discretized_logistic likelihood" in html and "dynamic binarization" not in html


def test_report_shows_eval_json_and_tabular_sections(tiny_run, tmp_path):
    run = tmp_path / "copy"
    shutil.copytree(tiny_run, run)
    (run / "eval.json").write_text(json.dumps({"nll": 123.456789, "k": 100,
                                               "kl_per_dim": [0.5] * 20}))
    html = write_report(run).read_text()
    assert 'id="eval"' in html and "123.457" in html and "20 values" in html
    assert 'id="manifold"' not in html  # a 4-D latent has no manifold picture


def test_report_of_a_tabular_run(tmp_path):
    import numpy as np

    import vaekit

    pytest.importorskip("pandas")

    rng = np.random.default_rng(0)
    path = tmp_path / "t.csv"
    rows = "\n".join(f"{rng.normal(5, 2):.3f},{rng.normal(-1, 1):.3f}" for _ in range(60))
    path.write_text("speed,angle\n" + rows + "\n")
    run = vaekit.train({"data": {"name": "csv", "path": str(path)},
                        "model": {"hidden": [8], "latent_dim": 2, "likelihood": "columns"},
                        "train": {"epochs": 1}}, out=tmp_path / "run")
    html = write_report(run.path, model=run.model).read_text()
    assert 'id="column-errors"' in html and 'id="generated-rows"' in html
    assert "<th>speed</th>" in html and 'id="samples"' not in html
    assert len(embedded_pngs(html)) == 3  # curves, column errors, latent map


def test_report_of_a_missing_run_is_a_run_error(tmp_path):
    from vaekit.errors import RunError

    with pytest.raises(RunError):
        write_report(Path(tmp_path / "nowhere"))
