"""``vaekit serve``: a latent explorer for a run in the browser (local only by default)."""

from __future__ import annotations

from pathlib import Path

import click

from vaekit.cli.options import run_argument


@click.command("serve")
@run_argument
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback lets other machines in (a warning "
              "is printed): the explorer has no authentication.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port (0: any free port; the URL printed says which).")
@click.option("--threads", type=click.IntRange(1, 64), default=2, show_default=True,
              help="torch threads of the model's forward passes.")
@click.option("--map-points", type=click.IntRange(10, 20000), default=2000, show_default=True,
              help="Held-out examples (a seeded subset) behind the KL order and the latent map.")
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="Log every request.")
def serve_cmd(run: Path, host: str, port: int, threads: int, map_points: int,
              access_log: bool) -> None:
    """Explore RUN's latent space in the browser: sliders, 2-D pad, prior samples,
    interpolations and the latent map of the held-out split.

    Loads the model once (safetensors) and serves a page that needs no network, with a JSON API
    (see /docs). Ctrl+C stops it.
    """
    import torch

    from vaekit.serve import server
    from vaekit.serve.app import create_app
    from vaekit.serve.session import Explorer

    torch.set_num_threads(threads)
    explorer = Explorer.load(run, map_points=map_points)
    warning = server.exposure_warning(host)
    if warning:
        click.echo(warning, err=True)
    sock = server.bind(host, port)
    try:
        app = create_app(explorer, server.served_hosts(host))
        click.echo(f"vaekit serve: {explorer.header['name']} at {server.url_of(sock)} "
                   "(Ctrl+C to stop)")
        server.run_server(app, sock, access_log=access_log)
    except KeyboardInterrupt:  # uvicorn shut down cleanly, then passed Ctrl+C on
        click.echo("stopped")
    finally:
        sock.close()


COMMANDS = [serve_cmd]
