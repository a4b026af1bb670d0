"""The explorer answers only to the address it serves (a DNS-rebinding page cannot reach it),
and HEAD like GET."""

from __future__ import annotations

import warnings

import pytest

from vaekit.serve import Explorer, create_app
from vaekit.serve.errors import host_name
from vaekit.serve.server import served_hosts

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the project installs
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(tiny_run) -> TestClient:
    app = create_app(Explorer.load(tiny_run, map_points=100), served_hosts("127.0.0.1"))
    return TestClient(app, base_url="http://127.0.0.1:8000")


def test_the_served_address_and_its_loopback_names_are_answered(client):
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"):
        assert client.get("/api/info", headers={"Host": host}).status_code == 200, host


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example",
                                  "", "10.0.0.1:8000"])
def test_another_host_header_is_refused_with_a_json_error(client, host):
    r = client.get("/api/info", headers={"Host": host})
    assert r.status_code == 421 and list(r.json()) == ["error"]
    assert "does not answer to the host" in r.json()["error"]


def test_head_is_answered_like_get_without_a_body(client):
    get, head = client.get("/"), client.head("/")
    assert head.status_code == get.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"] and head.content == b""
    assert client.head("/api/info").status_code == 200


def test_host_names_and_served_hosts():
    assert host_name("[::1]:8000") == "::1" and host_name("Example.COM:80") == "example.com"
    assert host_name("::1") == "::1"
    assert served_hosts("0.0.0.0") is None  # a wildcard bind serves whatever name reaches it
    assert served_hosts("192.168.1.5") == {"192.168.1.5"}
    assert {"127.0.0.1", "localhost", "::1"} <= served_hosts("127.0.0.1")
