"""The explorer's server: loopback detection, binding, and real HTTP on a free loopback port."""

from __future__ import annotations

import json
import socket
import warnings

import pytest

from vaekit.errors import UserError
from vaekit.serve import create_app
from vaekit.serve.server import background, bind, exposure_warning, is_loopback, url_of

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2")
    import httpx


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("localhost", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
    ("example.org", False)])
def test_only_loopback_hosts_are_quiet(host, loopback):
    assert is_loopback(host) is loopback
    warning = exposure_warning(host)
    assert (warning is None) is loopback
    if warning:
        assert warning.startswith("warning: ") and host in warning and "\n" not in warning


def test_bind_picks_a_free_port_and_refuses_a_taken_one():
    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert port > 0 and url_of(sock) == f"http://127.0.0.1:{port}/"
        with pytest.raises(UserError, match=f"port {port} on 127.0.0.1 is already in use"):
            bind("127.0.0.1", port)
    finally:
        sock.close()
    with pytest.raises(UserError, match="unknown address"):
        bind("no-such-host.invalid", 0)


def test_a_real_server_answers_on_loopback_and_stops(tiny_run):
    app = create_app(tiny_run)
    with background(app) as url:
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, timeout=10) as http:
            assert http.get("/api/info").json()["latent_dim"] == 4
            bad = http.post("/api/decode", json={"z": [1, 2]})
            assert bad.status_code == 422 and "latent has 4 dimensions" in bad.json()["error"]
            ok = http.post("/api/decode", json={"z": [0, 0, 0, 0], "format": "png"})
            assert ok.headers["content-type"] == "image/png" and ok.content[:4] == b"\x89PNG"
        port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.socket() as probe:  # stopped: the port is free again
        probe.bind(("127.0.0.1", port))


def test_bytes_that_are_not_http_get_the_json_error_shape(tiny_run):
    with background(create_app(tiny_run)) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"\x16\x03\x01 this is not http\r\n\r\n")
            answer = b""
            while chunk := raw.recv(4096):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head
    assert list(json.loads(body)) == ["error"] and b"malformed HTTP" in body
