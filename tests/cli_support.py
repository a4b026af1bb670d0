"""Helpers of the CLI tests: run ``vaekit`` in-process and check one-line errors."""

from __future__ import annotations

import pytest

from vaekit.cli.main import main

TINY = ["--set", "model.hidden=[16]", "--set", "model.latent_dim=2", "--epochs", "1",
        "--no-progress"]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``vaekit *args``."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]
