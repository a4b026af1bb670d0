"""Campaign, a tracking server that does not answer: ``train --track mlflow`` with a tracking
URI on which nothing listens fails at once, in one line naming the URI, before training."""

from __future__ import annotations

import socket

import pytest
from campaign_support import Hung, call, time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scheme=st.sampled_from(["http", "https"]), path=st.sampled_from(["", "/mlflow"]))
def test_a_tracking_server_that_does_not_answer_fails_fast_once(tmp_path_factory, scheme, path):
    pytest.importorskip("mlflow")
    work = tmp_path_factory.mktemp("mlflow")
    uri = f"{scheme}://127.0.0.1:{_closed_port()}{path}"
    try:
        with time_limit(30):
            code, err = call(["train", "--out", str(work / "run"), "--track", "mlflow", "--set",
                              f"train.tracking_uri={uri}", "--set", "model.hidden=[8]",
                              "--epochs", "1", "--no-progress"])
    except Hung:
        pytest.fail(f"{uri}: no answer after 30 s")
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert code == 2 and len(lines) == 1 and uri in lines[0], err[-2000:]
    assert not (work / "run").exists()
