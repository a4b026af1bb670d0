"""Binding the explorer's port and running uvicorn on it.

The socket is bound before uvicorn starts, so a port in use is one clear :class:`UserError`
(and ``--port 0`` picks a free port whose URL is then printed).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from vaekit.errors import UserError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_hosts(host: str) -> set[str] | None:
    """The ``Host`` names a server bound to ``host`` answers to: every loopback name for a
    loopback address, the address itself otherwise, and any for a wildcard (0.0.0.0, ::)."""
    bare = host.strip("[]").lower()
    if bare in ("0.0.0.0", "::", ""):
        return None
    if is_loopback(host):
        return {"127.0.0.1", "::1", bare, *LOOPBACK_NAMES}
    return {bare}


def exposure_warning(host: str) -> str | None:
    """The warning for a host other machines may reach, or None on loopback."""
    if is_loopback(host):
        return None
    return (f"warning: serving on {host}: anyone who can reach this machine on that address can "
            "use the explorer (it has no authentication); the default --host 127.0.0.1 is local only")


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port); UserError when the port is taken or not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UserError(f"--host {host}: unknown address ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if port and exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise UserError(f"port {port} on {host} is already in use: stop what holds it or "
                            "choose another with --port (0 picks a free one)") from None
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """http://HOST:PORT/ of a bound socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if sock.family == socket.AF_INET6 else f"http://{host}:{port}/"


# Seconds a connection may take to send a whole request's headers (at its start, and after
# each response): an idle or slow connection is then closed, so held sockets cannot pile up.
HEADER_TIMEOUT = 10.0


class JsonErrorsH11(H11Protocol):
    """uvicorn's h11 protocol, answering a request it cannot even parse (malformed HTTP) with
    the API's JSON error shape instead of plain text, and closing a connection that has not sent
    a whole request ``header_timeout`` seconds after it opened or after its last response
    (uvicorn bounds only the time between requests, and only once data stops coming)."""

    header_timeout = HEADER_TIMEOUT
    _header_timer: Any = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        super().connection_lost(exc)

    def _await_request(self) -> None:
        """Close the connection unless a new request has arrived when the time is up."""
        if self._header_timer is not None:
            self._header_timer.cancel()
        waiting_for = self.cycle
        self._header_timer = self.loop.call_later(self.header_timeout, self._expire, waiting_for)

    def _expire(self, waiting_for: Any) -> None:
        if self.cycle is waiting_for and (self.cycle is None or self.cycle.response_complete) \
                and not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"error": f"malformed HTTP request ({msg})"}).encode()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode())]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()


def make_server(app: Any, log_level: str = "warning", access_log: bool = False,
                header_timeout: float = HEADER_TIMEOUT) -> uvicorn.Server:
    """A uvicorn server for ``app`` (run it with ``server.run(sockets=[sock])``). No limit on
    connections: uvicorn would count idle ones and answer every request with a plain-text 503
    once they reach it; the header timeout bounds how long any connection is held instead."""
    protocol = type("JsonErrorsH11", (JsonErrorsH11,), {"header_timeout": header_timeout})
    config = uvicorn.Config(app, log_level=log_level, access_log=access_log, lifespan="off",
                            timeout_keep_alive=5, http=protocol)
    return uvicorn.Server(config)


def run_server(app: Any, sock: socket.socket, access_log: bool = False) -> None:
    """Serve ``app`` on ``sock`` until Ctrl+C (uvicorn handles the signal and shuts down)."""
    make_server(app, access_log=access_log).run(sockets=[sock])


@contextmanager
def background(app: Any, host: str = "127.0.0.1", port: int = 0, timeout: float = 30.0,
               header_timeout: float = HEADER_TIMEOUT) -> Iterator[str]:
    """Serve ``app`` from a thread while the block runs (tests, notebooks); yields the URL.

    Binds first (``port`` 0: a free port), waits until uvicorn has started, and on exit asks
    it to stop and waits for the thread.
    """
    sock = bind(host, port)
    server = make_server(app, header_timeout=header_timeout)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="vaekit-serve")
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the explorer's server did not start")
            time.sleep(0.02)
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
