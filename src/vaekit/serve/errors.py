"""Every error of the API is JSON ``{"error": "one line"}`` with a 4xx status; no stack traces.

- a body that is not JSON: 400; a body that breaks a request's schema: 422, the first problem
  named in one readable line (``n: Input should be less than or equal to 64``);
- a request the run cannot answer (code length, example index, label): 422 or 404;
- a body larger than ``MAX_BODY`` bytes: 413;
- anything unexpected: a JSON 500 that names only the exception's type, a one-line log on
  stderr, and the server goes on serving;
- a ``Host`` header that is not an address the server answers to: 421 (a page on another site
  that rebinds its DNS name to 127.0.0.1 cannot talk to the explorer).

HEAD is answered as GET without the body.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from vaekit.errors import UserError

MAX_BODY = 1 << 20  # bytes: a batch of 64 codes of 512 numbers is about 0.4 MB of JSON

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ErrorBody(BaseModel):
    """What every failed request gets back."""

    error: str


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, f"request body larger than {MAX_BODY} bytes")


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query")]
    return ".".join(parts)


def validation_message(errors: list[dict[str, Any]]) -> tuple[int, str]:
    """(status, one line) for FastAPI's validation errors: 400 for invalid JSON, else 422."""
    if not errors:
        return 422, "invalid request"
    first = errors[0]
    if first.get("type") == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "")
        return 400, f"malformed JSON{': ' + str(detail) if detail else ''}"
    where, msg = _where(tuple(first.get("loc") or ())), str(first.get("msg", "invalid value"))
    if first.get("type") == "missing" and not where:
        msg = "the body must be a JSON object"
    elif first.get("type") == "model_attributes_type" or (first.get("type") == "dict_type"
                                                          and not where):
        where, msg = "", "the body must be a JSON object"
    line = f"{where}: {msg}" if where and first.get("type") != "bad_code" else msg
    more = len(errors) - 1
    return 422, line + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message.splitlines()[0] if message else "error"},
                        status_code=status)


def install_error_handlers(app: FastAPI, hosts: set[str] | None = None) -> None:
    """JSON errors for validation, HTTP (404, 405, 413) and user errors; the catch-all guard.

    ``hosts``: the host names requests may carry in ``Host`` (without the port); None: any.
    """

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, message = validation_message(list(exc.errors()))
        return error(status, message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(UserError)
    async def _user(request: Request, exc: UserError) -> JSONResponse:
        return error(int(getattr(exc, "status", 422)), str(exc))

    app.add_middleware(Guard, hosts=hosts)


class Guard:
    """ASGI middleware: refuses bodies over MAX_BODY (413) and turns any exception the app did
    not handle into a JSON 500 without a traceback, so one bad request cannot stop the server."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]],
                 hosts: set[str] | None = None) -> None:
        self.app = app
        self.hosts = None if hosts is None else {h.lower() for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if self.hosts is not None:
            host = host_name(headers.get(b"host", b"").decode("latin-1"))
            if host not in self.hosts:
                await _send_json(send, 421, f"this server does not answer to the host "
                                 f"{host[:60]!r}; open it at the address it printed")
                return
        if scope.get("method") == "HEAD":  # as GET, headers only
            scope = {**scope, "method": "GET"}
            send = _headers_only(send)
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > MAX_BODY:
            await _send_json(send, 413 if length.isdigit() else 400,
                             BodyTooLarge().detail if length.isdigit() else "bad Content-Length")
            return
        started, received = False, 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise BodyTooLarge()
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except Exception as exc:
            print(f"vaekit serve: {scope.get('method')} {scope.get('path')} failed: "
                  f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                  file=sys.stderr, flush=True)
            if not started:
                status = 413 if isinstance(exc, BodyTooLarge) else 500
                await _send_json(send, status, BodyTooLarge().detail if status == 413 else
                                 f"internal error ({type(exc).__name__}); the server goes on")


async def _send_json(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def host_name(header: str) -> str:
    """The host of a ``Host`` header without its port: ``[::1]:8000`` -> ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _headers_only(send: Send) -> Send:
    async def strip(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return strip
