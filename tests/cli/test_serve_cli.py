"""``vaekit serve``: one-line errors (missing or corrupt run, port in use), URL and host warning."""

from __future__ import annotations

import json
import shutil
import socket

from cli_support import assert_one_line_error, run_cli


def test_serve_needs_a_run(capsys, tmp_path):
    code, _, err = run_cli(capsys, "serve", str(tmp_path / "nothing"), "--port", "0")
    assert_one_line_error(code, err, "no run folder at")
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(capsys, "serve", str(tmp_path / "empty"), "--port", "0")
    assert_one_line_error(code, err, "config.json is missing")


def test_serve_refuses_a_corrupt_run(capsys, tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "model.safetensors").write_bytes(b"not safetensors")
    code, _, err = run_cli(capsys, "serve", str(run), "--port", "0")
    assert_one_line_error(code, err, "model.safetensors is corrupt")
    (run / "config.json").write_text("{")
    code, _, err = run_cli(capsys, "serve", str(run), "--port", "0")
    assert_one_line_error(code, err, "config.json is corrupt")


def test_serve_says_when_the_port_is_taken(capsys, tiny_run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, _, err = run_cli(capsys, "serve", str(tiny_run), "--port", str(port))
    assert_one_line_error(code, err, f"port {port} on 127.0.0.1 is already in use")


def test_serve_prints_the_url_and_warns_off_loopback(capsys, tiny_run, monkeypatch):
    from vaekit.serve import server

    served = []
    monkeypatch.setattr(server, "run_server",
                        lambda app, sock, access_log=False: served.append(sock.getsockname()))
    code, out, err = run_cli(capsys, "serve", str(tiny_run), "--port", "0")
    assert code == 0 and err == "", err
    host, port = served[0][:2]
    assert host == "127.0.0.1" and f"at http://127.0.0.1:{port}/ (Ctrl+C to stop)" in out

    code, out, err = run_cli(capsys, "serve", str(tiny_run), "--host", "0.0.0.0", "--port", "0")
    assert code == 0 and served[1][0] == "0.0.0.0"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: serving on 0.0.0.0"), err
    assert f"http://0.0.0.0:{served[1][1]}/" in out


def test_serve_refuses_rows_it_cannot_turn_into_a_table(capsys, tiny_run, tmp_path):
    run = tmp_path / "rows"
    shutil.copytree(tiny_run, run)
    raw = json.loads((run / "config.json").read_text())
    raw["shape"] = [64]  # the same MLP weights read rows of 64 numbers, but no table describes them
    (run / "config.json").write_text(json.dumps(raw))
    code, _, err = run_cli(capsys, "serve", str(run), "--port", "0")
    assert_one_line_error(code, err, "says its data are image examples", "shape (64,)")
    raw["data"]["kind"] = "table"
    (run / "config.json").write_text(json.dumps(raw))
    code, _, err = run_cli(capsys, "serve", str(run), "--port", "0")
    assert_one_line_error(code, err, "no table columns")
    code, out, _ = run_cli(capsys, "serve", "--help")
    assert code == 0 and "--host" in out and "--port" in out
