"""Campaign, the explorer under idle connections: 500 connections to 127.0.0.1 that never send
a request do not stop it answering others (in JSON), and one that sends nothing, or only part
of its headers, is closed by the server after a bounded time."""

from __future__ import annotations

import contextlib
import json
import resource
import socket

import pytest

from vaekit.serve import create_app
from vaekit.serve.server import background

IDLE = 500


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].strip("/"))


def _get(port: int, path: str) -> tuple[bytes, bytes]:
    """(status line and headers, body) of one GET with Connection: close."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


@pytest.fixture
def many_files():
    """Room for the idle sockets at both ends (plus the process's own files)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * IDLE + 256
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"the open-file limit ({hard}) is below {wanted}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_requests_are_answered_while_500_idle_connections_are_held(tiny_run, many_files):
    with background(create_app(tiny_run)) as url, contextlib.ExitStack() as held:
        port = _port(url)
        for _ in range(IDLE):
            held.enter_context(socket.create_connection(("127.0.0.1", port), timeout=20))
        for path in ("/api/info", "/api/no-such-route"):
            head, body = _get(port, path)
            assert b"application/json" in head, head
            assert head.startswith(b"HTTP/1.1 200" if path == "/api/info" else b"HTTP/1.1 404")
            assert json.loads(body)


@pytest.mark.parametrize("sent", [b"", b"GET /api/info HTTP/1.1\r\nHost: 127"])
def test_a_connection_without_a_whole_request_is_closed(tiny_run, sent):
    from vaekit.serve import server

    with background(create_app(tiny_run), header_timeout=1.0) as url:
        with socket.create_connection(("127.0.0.1", _port(url)), timeout=30) as s:
            s.sendall(sent)
            closed = s.recv(4096)  # blocks until the server closes (bounded by the timeout)
        assert closed == b"" or closed.startswith(b"HTTP/1.1 4")
    assert server.HEADER_TIMEOUT <= 30
