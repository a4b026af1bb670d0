"""Every registered data modality end to end on tiny data: one epoch of training, then
``vaekit sample`` and ``vaekit reconstruct`` write what the run's render writes, the report
shows it and the explorer decodes to its view. The cases come from the registry: a new
modality joins by registering, and this test asks for its tiny data set below."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from cli_support import run_cli
from contract_support import HAS_TABLES, count_matrix, mixed_table, small

import vaekit
from vaekit import registry
from vaekit.artifacts.run_context import RunContext
from vaekit.report.build import build_report

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project installs
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from vaekit.serve import Explorer, create_app


def _tiny(name: str) -> dict:
    """The data section of a tiny data set of modality ``name``."""
    if name != "image" and not HAS_TABLES:
        pytest.skip("pandas, to read a table, is not installed")
    return {"image": {"name": "digits"},
            "table": {"name": "table", "path": str(mixed_table())},
            "counts": {"name": "counts", "path": str(count_matrix())}}[name]


@pytest.mark.parametrize("name", registry.names("modality"))
def test_a_modality_trains_samples_reconstructs_reports_and_serves(name, tmp_path, one_thread,
                                                                   capsys):
    cfg = vaekit.load_config(small({"data": _tiny(name)})).model_dump()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch: collapse warnings are expected
        run = vaekit.train(cfg | {"train": {"epochs": 1, "batch_size": 256}}, tmp_path / "run")
    ctx = RunContext.open(run.path)
    assert ctx.spec.kind == name and ctx.modality.name == name  # the run stores its modality
    render = registry.declared("render", ctx.modality.renders_as)

    samples = tmp_path / f"samples{Path(render['sample_file']).suffix}"
    code, _, err = run_cli(capsys, "sample", str(run.path), "-n", "8", "--seed", "3", "--out",
                             str(samples))
    assert code == 0 and samples.stat().st_size > 0, err
    recon = tmp_path / "reconstructions.png"
    code, lines, err = run_cli(capsys, "reconstruct", str(run.path), "--out", str(recon))
    assert code == 0 and recon.read_bytes()[:4] == b"\x89PNG", err

    if ctx.modality.has_columns:  # the same rows and errors as the table commands give
        rows = tmp_path / "rows.csv"
        code, _, err = run_cli(capsys, "rows", str(run.path), "-n", "8", "--seed", "3", "--out",
                               str(rows))
        assert code == 0 and rows.read_text() == samples.read_text(), err
        code, errors, err = run_cli(capsys, "column-errors", str(run.path), "--out",
                                    str(tmp_path / "e.png"))
        assert code == 0 and errors.splitlines()[:-1] == lines.splitlines()[:-1], err

    html = build_report(run.path)
    assert ("Generated rows" if ctx.modality.has_columns else "Samples") in html
    client = TestClient(create_app(Explorer.load(run.path, map_points=100)))
    info = client.get("/api/info").json()
    answer = client.post("/api/decode", json={"z": [info["center"]]}).json()
    assert len(answer["images" if ctx.modality.pictures else "rows"]) == 1
    assert answer["media_type"] == ("image/png" if ctx.modality.pictures else "application/json")
