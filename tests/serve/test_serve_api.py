"""The explorer's JSON API on the tiny digits run: happy paths, and bad requests -> one-line 4xx."""

from __future__ import annotations

import base64
import io
import json
import shutil
import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from vaekit.data import to_float
from vaekit.serve import Explorer, create_app
from vaekit.store.metrics import read_metrics

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project installs
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def explorer(tiny_run) -> Explorer:
    return Explorer.load(tiny_run)


@pytest.fixture(scope="module")
def client(explorer) -> TestClient:
    return TestClient(create_app(explorer))


def image(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def pixels(b64: str) -> np.ndarray:
    return np.asarray(image(b64))


def expected_pixels(explorer: Explorer, z: list[list[float]]) -> np.ndarray:
    with torch.no_grad():
        mean = explorer.model.decode(torch.tensor(z)).mean
    return (mean.clamp(0, 1)[:, 0].numpy() * 255).round().astype(np.uint8)


def test_info_describes_the_run_and_orders_dimensions_by_kl(client, tiny_run):
    info = client.get("/api/info").json()
    last = read_metrics(tiny_run / "metrics.csv")[-1]
    assert info["name"] == tiny_run.name and info["data"] == "digits"
    assert info["likelihood"] == "discretized_logistic" and info["mode"] == "L" and info["shape"] == [1, 8, 8]
    assert info["metrics"]["epoch"] == int(last["epoch"])
    assert info["metrics"]["heldout_loss"] == pytest.approx(float(last["val_loss"]))
    assert info["metrics"]["heldout_split"] == "val"
    assert info["eval"] is None and info["conditional"] is False and info["vq"] is False
    dims = info["dims"]
    assert sorted(d["index"] for d in dims) == [0, 1, 2, 3] and info["latent_dim"] == 4
    kls = [d["kl"] for d in dims]
    assert kls == sorted(kls, reverse=True)
    assert all(d["active"] == (d["variance"] > 0.01) for d in dims)
    assert info["heldout"]["n"] == 359 and info["limits"]["n"] == 64


def test_info_shows_eval_json_when_present(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "eval.json").write_text(json.dumps({"nll": 41.5, "k": 100, "elbo": -42.0,
                                               "bits_per_dim": 0.93, "huge": [1] * 10}))
    info = TestClient(create_app(run)).get("/api/info").json()
    assert info["eval"] == {"nll": 41.5, "k": 100, "elbo": -42.0, "bits_per_dim": 0.93}


def test_decode_gives_pngs_of_the_data_size_and_mode(client, explorer):
    codes = [[0.0, 0.0, 0.0, 0.0], [2.5, -1.0, 0.5, 3.0], [-2.5, 1.0, -0.5, -3.0]]
    r = client.post("/api/decode", json={"z": codes})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["width"], body["height"], body["mode"]) == (8, 8, "L")
    assert len(body["images"]) == 3 and body["codes"] == codes
    for b64 in body["images"]:
        img = image(b64)
        assert img.format == "PNG" and img.size == (8, 8) and img.mode == "L"
    got = np.stack([pixels(b) for b in body["images"]])
    assert np.array_equal(got, expected_pixels(explorer, codes))
    assert not np.array_equal(got[1], got[2])  # different codes, different images

    one = client.post("/api/decode", json={"z": codes[1]}).json()  # a single code
    assert np.array_equal(pixels(one["images"][0]), got[1])
    raw = client.post("/api/decode", json={"z": codes[1], "format": "png"})
    assert raw.headers["content-type"] == "image/png"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(raw.content))), got[1])


def test_sample_is_seeded_tempered_and_decodes_its_codes(client, explorer):
    a = client.post("/api/sample", json={"n": 5, "seed": 3}).json()
    b = client.post("/api/sample", json={"n": 5, "seed": 3}).json()
    c = client.post("/api/sample", json={"n": 5, "seed": 4}).json()
    cold = client.post("/api/sample", json={"n": 5, "seed": 3, "temperature": 0.5}).json()
    assert len(a["images"]) == 5 and all(len(z) == 4 for z in a["codes"]) and a["notes"] == []
    assert a == b and a["codes"] != c["codes"]
    assert np.allclose(np.array(cold["codes"]), 0.5 * np.array(a["codes"]), atol=1e-6)
    got = np.stack([pixels(x) for x in a["images"]])
    assert np.array_equal(got, expected_pixels(explorer, a["codes"]))


def test_encode_gives_the_posterior_mean_and_the_example(client, explorer):
    r = client.post("/api/encode", json={"index": 7}).json()
    with torch.no_grad():
        mean = explorer.model.encode(explorer.x[7:8]).mean[0]
    assert r["index"] == 7 and r["label"] == int(explorer.y[7])
    assert np.allclose(r["z"], mean.numpy(), atol=1e-6)
    shown = (to_float(explorer.shown[7, 0]) * 255).round().numpy().astype(np.uint8)
    assert np.array_equal(pixels(r["image"]), shown)
    assert np.array_equal(pixels(r["reconstruction"]), expected_pixels(explorer, [r["z"]])[0])


def test_interpolate_runs_from_one_code_to_the_other(client):
    za = client.post("/api/encode", json={"index": 0}).json()["z"]
    zb = client.post("/api/encode", json={"index": 1}).json()["z"]
    lerp = client.post("/api/interpolate", json={"from": 0, "to": 1, "steps": 6}).json()
    slerp = client.post("/api/interpolate", json={"from": 0, "to": 1, "steps": 6,
                                                  "method": "slerp"}).json()
    for path in (lerp, slerp):
        assert len(path["images"]) == 6 and len(path["codes"]) == 6
        assert np.allclose(path["codes"][0], za, atol=1e-6)
        assert np.allclose(path["codes"][-1], zb, atol=1e-6)
        assert all(image(b).size == (8, 8) for b in path["images"])
    mid = np.array(lerp["codes"][2])
    assert np.allclose(mid, np.array(za) + 0.4 * (np.array(zb) - np.array(za)), atol=1e-5)
    assert not np.allclose(slerp["codes"][2], lerp["codes"][2])


def test_examples_and_latent_map(client, explorer):
    ex = client.get("/api/examples", params={"start": 350, "count": 64}).json()
    assert ex["start"] == 350 and ex["total"] == 359 and len(ex["images"]) == 9
    assert ex["labels"] == [int(v) for v in explorer.y[350:]]
    m = client.get("/api/latent-map").json()
    assert m["method"] == "pca" and m["n"] == m["of"] == 359
    assert len(m["x"]) == len(m["y"]) == len(m["index"]) == len(m["label"]) == 359


def test_the_openapi_page_documents_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/info", "/api/decode", "/api/sample", "/api/encode", "/api/interpolate"):
        assert path in paths
    page = client.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text
    # Offline: Swagger UI's script and style come from this server, nothing from elsewhere.
    assert "http://" not in page.text and "https://" not in page.text, page.text
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/docs/{name}" in page.text
        assert client.get(f"/docs/{name}").status_code == 200


BAD = [
    ("/api/decode", {"z": [0.0, 0.0, 0.0]}, 422, "z has 3 numbers; this run's latent has 4"),
    ("/api/decode", {"z": [[0.0] * 4, [0.0] * 5]}, 422, "z has 5 numbers"),
    ("/api/decode", '{"z": [0, NaN, 0, 0]}', 422, "z[1] is nan"),
    ("/api/decode", '{"z": [0, 0, Infinity, 0]}', 422, "z[2] is inf"),
    ("/api/decode", '{"z": [[0, 0, 0, -Infinity]]}', 422, "z[0][3] is -inf"),
    ("/api/decode", '{"z": [0, 0, 0, 1e999]}', 422, "finite numbers only"),
    ("/api/decode", {"z": [0, 0, 0, 1e6]}, 422, "too large"),
    ("/api/decode", {"z": [0, 0, "a", 0]}, 422, "z[2] is not a number"),
    ("/api/decode", {"z": []}, 422, "non-empty list"),
    ("/api/decode", {"z": [[0.0] * 4] * 65}, 422, "at most 64 codes"),
    ("/api/decode", {"z": [[0.0] * 4] * 2, "format": "png"}, 422, "give one code"),
    ("/api/decode", {"z": [0.0] * 4, "zz": 1}, 422, "zz: Extra inputs are not permitted"),
    ("/api/decode", {}, 422, "z: Field required"),
    ("/api/decode", [1, 2], 422, "JSON object"),
    ("/api/decode", '{"z": [0, 0,', 400, "malformed JSON"),
    ("/api/decode", "not json", 400, "malformed JSON"),
    ("/api/sample", {"n": 100000}, 422, "n: Input should be less than or equal to 64"),
    ("/api/sample", {"n": 0}, 422, "n: Input should be greater than or equal to 1"),
    ("/api/sample", '{"temperature": NaN}', 422, "temperature"),
    ("/api/sample", {"temperature": -1}, 422, "temperature: Input should be greater than 0"),
    ("/api/sample", {"seed": -1}, 422, "seed"),
    ("/api/encode", {"index": 359}, 404, "index 359: the held-out split has 359 examples"),
    ("/api/encode", {"index": 10**12}, 422, "index: Input should be less than or equal to"),
    ("/api/encode", {"index": "seven"}, 422, "index: Input should be a valid integer"),
    ("/api/interpolate", {"from": 0, "to": 5000}, 404, "to 5000"),
    ("/api/interpolate", {"from": 0, "to": 1, "steps": 1000}, 422, "steps"),
    ("/api/interpolate", {"from": 0, "to": 1, "method": "cubic"}, 422, "method"),
    ("/api/interpolate", {"to": 1}, 422, "from: Field required"),
]


@pytest.mark.parametrize(("path", "body", "status", "needle"), BAD)
def test_bad_requests_get_a_one_line_4xx_and_the_server_goes_on(client, path, body, status,
                                                               needle):
    if isinstance(body, str):
        r = client.post(path, content=body, headers={"content-type": "application/json"})
    else:
        r = client.post(path, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    message = r.json()["error"]
    assert needle in message and "\n" not in message and "Traceback" not in message, message
    assert client.get("/api/info").status_code == 200
    assert client.post("/api/decode", json={"z": [0, 0, 0, 0]}).status_code == 200


def test_bad_queries_unknown_routes_and_huge_bodies(client):
    r = client.get("/api/examples", params={"count": 1000})
    assert r.status_code == 422 and "count: Input should be less than or equal to 64" in r.text
    assert client.get("/api/examples", params={"start": 400}).status_code == 404
    assert client.get("/api/nothing").json() == {"error": "Not Found"}
    assert client.get("/api/decode").status_code == 405
    huge = '{"z": [' + ",".join(["0"] * 600_000) + "]}"
    r = client.post("/api/decode", content=huge, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["error"]

    def chunks():  # no Content-Length: the limit counts the bytes as they arrive
        yield b'{"z": ['
        for _ in range(200):
            yield b"0," * 5000
        yield b"0]}"

    r = client.post("/api/decode", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    assert client.get("/api/info").status_code == 200


def test_an_unexpected_failure_is_a_json_500_without_a_traceback(client, explorer, monkeypatch,
                                                                  capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom\nTraceback (most recent call last): secret")

    monkeypatch.setattr(explorer, "decode", broken)
    r = client.post("/api/decode", json={"z": [0, 0, 0, 0]})
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (RuntimeError); the server goes on"}
    assert "decode failed: RuntimeError: boom" in capsys.readouterr().err
    monkeypatch.undo()
    assert client.post("/api/decode", json={"z": [0, 0, 0, 0]}).status_code == 200


def test_only_the_page_and_its_own_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    names = ("util.js", "app.js", "style.css")
    for name in names:
        assert client.get(f"/static/{name}").status_code == 200
        assert f'"/static/{name}"' in page.text
    for text in [page.text] + [client.get(f"/static/{name}").text for name in names]:
        assert "http://" not in text and "https://" not in text and "@import" not in text
    for path in ("/static/index.html", "/static/../config.json", "/static/%2e%2e/config.json",
                 "/config.json", "/model.safetensors", "/metrics.csv", "/static/"):
        assert client.get(path).status_code == 404, path
