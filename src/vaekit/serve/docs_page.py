"""FastAPI's API page at ``/docs``, offline: Swagger UI 5 (which reads FastAPI's OpenAPI 3.1)
comes from the files the fastapi-offline package ships, read once at start-up like the
explorer's own files (no CDN, fixed paths)."""

from __future__ import annotations

from importlib import resources

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

SWAGGER = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
           "swagger-ui.css": "text/css; charset=utf-8"}


def swagger_files() -> dict[str, bytes]:
    """Swagger UI's script and style, to be served at ``/docs/<name>``."""
    return {name: (resources.files("fastapi_offline") / "static" / name).read_bytes()
            for name in SWAGGER}


def docs_page(openapi_url: str, title: str) -> HTMLResponse:
    """Swagger UI on ``openapi_url``, its files from ``/docs/`` and no external request."""
    return get_swagger_ui_html(
        openapi_url=openapi_url, title=title, swagger_js_url="/docs/swagger-ui-bundle.js",
        swagger_css_url="/docs/swagger-ui.css", swagger_favicon_url="/favicon.ico",
        swagger_ui_parameters={"validatorUrl": None})
