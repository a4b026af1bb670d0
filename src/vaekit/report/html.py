"""Small HTML building blocks for a self-contained page: no scripts, no network, images inline."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping
from typing import Any

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
td, th { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; font-size: 0.9em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #555; max-width: 900px; }
img { max-width: 100%; image-rendering: pixelated; border: 1px solid #eee; }
img.plot { image-rendering: auto; }
pre { background: #f6f6f6; padding: 0.6em; font-size: 0.8em; overflow-x: auto; }
.note { color: #555; font-size: 0.9em; }
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: Any) -> str:
    """Numbers to 6 significant digits, booleans and None spelled out, the rest as text."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def image(png: bytes, alt: str, caption: str = "", plot: bool = False, ident: str = "",
          width: int | None = None) -> str:
    """A <figure> with the PNG inline as a data: URI (base64), shown ``width`` px wide if given."""
    data = base64.b64encode(png).decode("ascii")
    attrs = f' id="{esc(ident)}"' if ident else ""
    cls = ' class="plot"' if plot else ""
    cls += f' width="{int(width)}"' if width else ""
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return (f'<figure{attrs}><img{cls} src="data:image/png;base64,{data}" alt="{esc(alt)}">'
            f"{cap}</figure>")


def key_values(items: Mapping[str, Any], ident: str = "") -> str:
    """A two-column table; each value cell gets ``data-key`` so tests and scripts can find it."""
    attrs = f' id="{esc(ident)}"' if ident else ""
    rows = "".join(
        f'<tr><th>{esc(k)}</th><td class="num" data-key="{esc(k)}">{esc(fmt(v))}</td></tr>'
        for k, v in items.items())
    return f"<table{attrs}>{rows}</table>"


def grid_table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td class="num">{esc(fmt(v))}</td>' for v in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts -> {"a.b": value}; lists longer than 8 items are summarized."""
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(obj, list) and len(obj) > 8:
        return {prefix: f"[{len(obj)} values: {', '.join(fmt(v) for v in obj[:4])}, ...]"}
    return {prefix: obj}


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="icon" href="data:,">'
            f"<title>{esc(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n"
            "</body></html>\n")
