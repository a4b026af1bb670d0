"""The explorer on a conditional VAE (labels) and on a VQ-VAE (sampling from its code prior)."""

from __future__ import annotations

import base64
import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import tiny_config
from PIL import Image

from vaekit.cli.main import main
from vaekit.serve import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient

VQ = ["model.variant=vq_vae", "model.channels=[8,16]", "model.latent_dim=4",
      "model.latent_args={codebook_size: 16, code_dim: 4}", "train.epochs=1"]


def pixels(b64: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(b64))))


def _train(out: Path, *overrides: str) -> Path:
    from vaekit.training.trainer import train

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # posterior-collapse warnings of a 1-epoch run
        train(tiny_config(*overrides), out, progress=False)
    return out


@pytest.fixture(scope="module")
def cvae(tmp_path_factory) -> TestClient:
    run = _train(tmp_path_factory.mktemp("serve") / "cvae", "model.variant=cvae", "train.epochs=1")
    return TestClient(create_app(run))


@pytest.fixture(scope="module")
def vq_run(tmp_path_factory) -> Path:
    return _train(tmp_path_factory.mktemp("serve") / "vq", *VQ)


def test_a_conditional_model_decodes_with_the_chosen_label(cvae):
    info = cvae.get("/api/info").json()
    assert info["conditional"] is True and len(info["classes"]) == 10
    z = [1.0, -0.5, 0.5, 0.0]
    three = cvae.post("/api/decode", json={"z": z, "label": 3}).json()["images"][0]
    seven = cvae.post("/api/decode", json={"z": z, "label": 7}).json()["images"][0]
    default = cvae.post("/api/decode", json={"z": z}).json()["images"][0]
    zero = cvae.post("/api/decode", json={"z": z, "label": 0}).json()["images"][0]
    assert not np.array_equal(pixels(three), pixels(seven)) and default == zero
    r = cvae.post("/api/decode", json={"z": z, "label": 10})
    assert r.status_code == 422 and r.json()["error"] == "label 10: this model has classes 0 to 9"
    s = cvae.post("/api/sample", json={"n": 4, "label": 5})
    assert s.status_code == 200 and len(s.json()["images"]) == 4
    e = cvae.post("/api/encode", json={"index": 2}).json()
    assert e["label"] is not None and len(e["z"]) == 4
    path = cvae.post("/api/interpolate", json={"from": 2, "to": 9, "steps": 3}).json()
    assert len(path["images"]) == 3
    assert cvae.post("/api/interpolate", json={"from": 2, "to": 9, "label": 11}).status_code == 422


def test_a_vq_vae_samples_its_code_prior_once_trained(vq_run):
    client = TestClient(create_app(vq_run))
    info = client.get("/api/info").json()
    assert info["vq"] is True and info["code_prior"] is False and info["latent_dim"] == 16
    assert [d["kl"] for d in info["dims"]] == [None] * 16  # ordered by variance instead
    r = client.post("/api/sample", json={"n": 3, "seed": 1}).json()
    assert len(r["images"]) == 3 and any("train-prior" in n for n in r["notes"])
    assert client.post("/api/decode", json={"z": r["codes"][0]}).json()["images"][0] == r["images"][0]

    with pytest.raises(SystemExit) as done:  # the CLI returns normally on success
        main(["train-prior", str(vq_run), "--epochs", "1", "--width", "16", "--depth", "1",
              "--heads", "2"])
        raise SystemExit(0)
    assert done.value.code in (0, None)
    client = TestClient(create_app(vq_run))
    assert client.get("/api/info").json()["code_prior"] is True
    r = client.post("/api/sample", json={"n": 3, "seed": 1}).json()
    assert len(r["images"]) == 3 and r["notes"] == []
    assert all(len(z) == 16 for z in r["codes"])
