"""``train.track: [mlflow]``: an MLflow run per run folder.

Metrics: every numeric column of metrics.csv at step = epoch; params: the config, flattened;
artifacts at the end: ``samples.png`` and the run folder (less its checkpoints). The store is
``train.tracking_uri``, else ``$MLFLOW_TRACKING_URI``, else the SQLite database ``mlflow.db``
beside the run folder (artifacts in ``mlartifacts/`` there). The MLflow run id is kept in
RUN/mlflow.json, so ``--resume`` logs into the same MLflow run.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vaekit.config.schema import Config
from vaekit.errors import UserError
from vaekit.registry import register
from vaekit.store.atomic import write_json
from vaekit.store.checkpoint import DIR as CHECKPOINTS
from vaekit.tracking.base import flat_params, numeric, require, sample_grid

RUN_FILE = "mlflow.json"
EXPERIMENT = "vaekit"
_BATCH = 100  # MLflow takes at most 100 params per log_batch


def store(out: Path, cfg: Config) -> tuple[str, str | None]:
    """(tracking URI, artifact location for a new experiment, or None to let the store pick)."""
    uri = cfg.train.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        return uri, None
    runs = out.expanduser().resolve().parent
    return f"sqlite:///{runs / 'mlflow.db'}", (runs / "mlartifacts").as_uri()


# How long a tracking server may take to accept a connection, and MLflow's own retries of a
# request (its defaults, 7 retries with backoff, wait minutes on a server that is down).
CONNECT_TIMEOUT = 5.0
_REQUEST_SETTINGS = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2", "MLFLOW_HTTP_REQUEST_TIMEOUT": "30"}


def check_reachable(uri: str) -> None:
    """UserError naming ``uri`` when it is an HTTP(S) tracking server that does not accept a
    connection within CONNECT_TIMEOUT seconds (other stores are local: nothing to wait for)."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise UserError(f"MLflow tracking URI {uri}: cannot connect to {parts.hostname}:{port} "
                        f"({reason}); start the server or choose another train.tracking_uri"
                        ) from None


@contextlib.contextmanager
def _reported(uri: str) -> Iterator[None]:
    """An MLflow store that cannot be used becomes one line naming it."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except (MlflowException, OSError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UserError(f"MLflow tracking URI {uri}: {first}") from None


def _saved_ids(path: Path) -> tuple[str, str]:
    """(tracking URI, run id) from RUN/mlflow.json; UserError naming the file when damaged."""
    try:
        ids = json.loads(path.read_text())
        uri, run_id = ids["tracking_uri"], ids["run_id"]
        if isinstance(uri, str) and isinstance(run_id, str) and uri and run_id:
            return uri, run_id
    except (ValueError, KeyError, TypeError):
        pass
    raise UserError(f"{path} is damaged (it should hold tracking_uri and run_id); restore it, or "
                    "delete it to log the resumed run as a new MLflow run")


@register("tracker", "mlflow")
class MlflowTracker:
    """Logs to one MLflow run, created at the first session and resumed at the next ones."""

    def __init__(self, out: Path, cfg: Config) -> None:
        self.out, self.cfg = Path(out), cfg
        self.uri, self.artifacts = store(self.out, cfg)
        local_db = ("sqlalchemy", "alembic") if self.uri.startswith("sqlite:") else ()
        require("mlflow", "mlflow", *local_db)
        check_reachable(self.uri)
        for key, value in _REQUEST_SETTINGS.items():  # the user's own settings win
            os.environ.setdefault(key, value)
        self.client: Any = None
        self.run_id = ""
        self.unsaved = False  # the run id is written once the run folder exists

    def on_train_start(self, resume: bool) -> None:
        from mlflow import MlflowClient
        from mlflow.entities import Param

        saved = self.out / RUN_FILE
        if resume and saved.exists():
            self.uri, self.run_id = _saved_ids(saved)
            check_reachable(self.uri)
        with _reported(self.uri):
            self.client = MlflowClient(self.uri)
            if self.run_id:
                self.client.update_run(self.run_id, "RUNNING")
                logged = set(self.client.get_run(self.run_id).data.params)
            else:
                found = self.client.get_experiment_by_name(EXPERIMENT)
                experiment = found.experiment_id if found else self.client.create_experiment(
                    EXPERIMENT, artifact_location=self.artifacts)
                self.run_id = self.client.create_run(experiment, run_name=self.out.name).info.run_id
                self.unsaved, logged = True, set()
            # MLflow never changes a logged param: a resumed run keeps the first value of each.
            params = [Param(k, v) for k, v in flat_params(self.cfg).items() if k not in logged]
            for i in range(0, len(params), _BATCH):
                self.client.log_batch(self.run_id, params=params[i : i + _BATCH])

    def on_epoch_end(self, epoch: int, row: dict[str, Any], model: Any) -> None:
        from mlflow.entities import Metric

        if self.unsaved:
            write_json(self.out / RUN_FILE, {"tracking_uri": self.uri, "run_id": self.run_id})
            self.unsaved = False
        now = int(time.time() * 1000)
        with _reported(self.uri):
            self.client.log_batch(self.run_id, metrics=[
                Metric(k, v, now, epoch) for k, v in numeric(row).items()])

    def on_train_end(self, run: Any) -> None:
        grid = sample_grid(run)
        with _reported(self.uri):
            if grid is not None:
                self.client.log_image(self.run_id, grid, artifact_file="samples.png")
            # The checkpoints are training state for --resume; the weights are model.safetensors.
            for path in sorted(Path(run.path).iterdir()):
                if path.is_dir() and path.name != CHECKPOINTS:
                    self.client.log_artifacts(self.run_id, str(path), artifact_path=path.name)
                elif path.is_file():
                    self.client.log_artifact(self.run_id, str(path))
            self.client.set_terminated(self.run_id)
