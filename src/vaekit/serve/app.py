"""The FastAPI app of ``vaekit serve``: the page, its static files (JS, CSS) and the JSON API.

The app serves only fixed routes: the page and its files are read once from the package (no
path parameter reaches the file system), and the run's files were read once by
:meth:`Explorer.load`. The OpenAPI schema is at ``/openapi.json`` and FastAPI's page at ``/docs``
(Swagger UI from the installed fastapi-offline package's files: nothing needs the network).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse, Response

from vaekit import __version__
from vaekit.serve.docs_page import SWAGGER, docs_page, swagger_files
from vaekit.serve.errors import ErrorBody, error, install_error_handlers
from vaekit.serve.schemas import (
    MAX_EXAMPLES,
    DecodeRequest,
    EncodeRequest,
    InterpolateRequest,
    SampleRequest,
)
from vaekit.serve.session import Explorer

STATIC = {"util.js": "text/javascript; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
          "style.css": "text/css; charset=utf-8"}
# The page may talk to its own server only: no CDN, no external font, no inline script.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in [(400, "malformed JSON"), (404, "unknown example index"),
                       (413, "body too large"), (422, "a value out of bounds or not for this run")]
}


def _read_static(name: str) -> bytes:
    return (resources.files("vaekit.serve") / "static" / name).read_bytes()


def _page(body: bytes, media_type: str) -> Response:
    return Response(body, media_type=media_type, headers={
        "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache", "Referrer-Policy": "no-referrer"})


def _static(body: bytes, media_type: str) -> Callable[[], Response]:
    """An endpoint without parameters that answers with one file read at start-up."""
    def serve() -> Response:
        return _page(body, media_type)

    return serve


def _image_json(explorer: Explorer, result: dict[str, Any]) -> dict[str, Any]:
    return {**result, **explorer.view.media()}


def create_app(run: str | Path | Explorer, hosts: set[str] | None = None) -> FastAPI:
    """The explorer's app for RUN (a run folder, or an :class:`Explorer` already loaded).

    ``hosts``: the names the ``Host`` header may carry (``vaekit serve`` passes the address it
    binds, and the loopback names when it binds loopback); None accepts any (tests)."""
    explorer = run if isinstance(run, Explorer) else Explorer.load(run)
    app = FastAPI(title="vaekit latent explorer", version=__version__, redoc_url=None, docs_url=None,
                  description=f"Decode, sample, encode and interpolate the latent codes of the run "
                  f"{explorer.header['name']!r}. Errors are JSON {{\"error\": \"...\"}} with a 4xx "
                  "status.")
    app.state.explorer = explorer
    install_error_handlers(app, hosts)
    files = {name: _read_static(name) for name in STATIC}
    index = _read_static("index.html")

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return _page(index, "text/html; charset=utf-8")

    for name, media_type in STATIC.items():  # fixed paths: nothing from the URL reaches the disk
        app.add_api_route(f"/static/{name}", _static(files[name], media_type),
                          include_in_schema=False)
    for name, body in swagger_files().items():
        app.add_api_route(f"/docs/{name}", _static(body, SWAGGER[name]), include_in_schema=False)

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return docs_page(str(app.openapi_url), f"vaekit serve {explorer.header['name']}: API")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/api/info", tags=["explorer"])
    def info() -> dict[str, Any]:
        """The run (name, data, likelihood, last metrics, eval.json), its latent dimensions
        ordered by held-out KL (inactive ones flagged), labels, VQ prior, and request limits."""
        return explorer.info()

    @app.post("/api/decode", tags=["explorer"], responses={
        **ERRORS, 200: {"content": {"image/png": {}}, "description": "JSON, or a PNG"}})
    def decode(req: DecodeRequest) -> Response:
        """Decode codes (one or a batch, one forward pass) into PNGs of the data's size and mode:
        base64 in JSON, or with ``format: "png"`` the raw PNG of a single code."""
        codes = req.z
        if req.format == "png" and len(codes) != 1:
            return error(422, f"format png returns one image: give one code, not {len(codes)}")
        if req.format == "png" and not explorer.view.pngs:
            return error(422, "format png: this run decodes to table rows, not images")
        result = explorer.decode(codes, req.label)
        if req.format == "png":
            return Response(result.pngs[0], media_type="image/png")
        return JSONResponse(_image_json(explorer, result.json()))

    @app.post("/api/sample", tags=["explorer"], responses=ERRORS)
    def sample(req: SampleRequest) -> dict[str, Any]:
        """``n`` draws from the prior at a temperature, with their codes (a VQ-VAE samples its
        trained code prior; ``notes`` says when it has none)."""
        return _image_json(explorer, explorer.sample(req.n, req.temperature, req.seed,
                                                     req.label).json())

    @app.post("/api/encode", tags=["explorer"], responses=ERRORS)
    def encode(req: EncodeRequest) -> dict[str, Any]:
        """The posterior mean of held-out example ``index``, the example and its reconstruction."""
        return _image_json(explorer, explorer.encode(req.index, req.label))

    @app.post("/api/interpolate", tags=["explorer"], responses=ERRORS)
    def interpolate(req: InterpolateRequest) -> dict[str, Any]:
        """The decoded lerp or slerp path between the posterior means of two held-out examples."""
        return _image_json(explorer, explorer.interpolate(req.from_, req.to, req.steps, req.method,
                                                          req.label).json())

    @app.get("/api/examples", tags=["explorer"], responses=ERRORS)
    def examples(start: int = Query(0, ge=0, le=2**31),
                 count: int = Query(32, ge=1, le=MAX_EXAMPLES)) -> dict[str, Any]:
        """Thumbnails of held-out examples ``start`` .. ``start + count - 1``, with labels."""
        return _image_json(explorer, explorer.examples(start, count))

    @app.get("/api/latent-map", tags=["explorer"])
    def latent_map() -> dict[str, Any]:
        """Posterior means of a seeded subset of the held-out split in 2-D (the codes themselves
        for a 2-D latent, else PCA), with example indices and labels."""
        return explorer.map

    return app
