"""``vaekit serve RUN``: a latent explorer in the browser (FastAPI + uvicorn, offline page).

- :mod:`vaekit.serve.session`: the run loaded once (model, held-out split, latent statistics)
  and the bounded operations on it (decode, sample, encode, interpolate, latent map);
- :mod:`vaekit.serve.schemas`: the JSON requests with their bounds;
- :mod:`vaekit.serve.app`: the FastAPI app (``create_app``) with its error handlers;
- :mod:`vaekit.serve.server`: binding the port and running uvicorn;
- ``static/``: the page (plain HTML, CSS and JS, served by the app itself).
"""

from vaekit.serve.app import create_app
from vaekit.serve.session import Explorer

__all__ = ["Explorer", "create_app"]
