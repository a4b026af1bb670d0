"""Download cache and errors, with no network: pooch's HTTP downloader is replaced."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pooch
import pytest
import requests

from vaekit.config.schema import DataConfig
from vaekit.data.download import Remote, cache_root, fetch, fetch_all
from vaekit.errors import DataError

CONTENT = b"some data set bytes\n"
SHA = "sha256:" + hashlib.sha256(CONTENT).hexdigest()
URL = "https://example.invalid/files/data.bin"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any real HTTP download attempt fails (and is recorded)."""
    calls: list[str] = []

    def offline(self: object, url: str, output_file: object, pooch: object) -> None:
        calls.append(url)
        raise requests.ConnectionError(f"network disabled in tests: {url}")

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", offline)
    return calls


def serve(content: bytes, calls: list[str] | None = None):
    """A pooch downloader writing ``content`` (as if fetched from the URL)."""

    def download(url: str, output_file: str, _pooch: object) -> None:
        if calls is not None:
            calls.append(url)
        Path(output_file).write_bytes(content)

    return download


def test_cached_file_is_used_without_network(tmp_path: Path, no_network: list[str]) -> None:
    (tmp_path / "data.bin").write_bytes(CONTENT)
    assert fetch(URL, "data.bin", SHA, tmp_path) == tmp_path / "data.bin"
    md5 = "md5:" + hashlib.md5(CONTENT).hexdigest()
    assert fetch([URL], "data.bin", md5, tmp_path) == tmp_path / "data.bin"
    assert no_network == []


def test_download_writes_into_cache(tmp_path: Path) -> None:
    calls: list[str] = []
    path = fetch(URL, "data.bin", SHA, tmp_path / "cache", downloader=serve(CONTENT, calls))
    assert path.read_bytes() == CONTENT and calls == [URL]


def test_hash_mismatch_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        fetch(URL, "data.bin", SHA, tmp_path, downloader=serve(b"tampered"))
    msg = str(err.value)
    assert "data.bin" in msg and URL in msg and "known hash" in msg and "data.path" in msg
    assert not (tmp_path / "data.bin").exists()


def test_network_failure_tries_every_mirror(tmp_path: Path, no_network: list[str]) -> None:
    mirrors = ["https://a.invalid/data.bin", "https://b.invalid/data.bin"]
    with pytest.raises(DataError, match=r"data\.bin.*a\.invalid.*b\.invalid.*data\.path"):
        fetch(mirrors, "data.bin", SHA, tmp_path)
    assert no_network == mirrors


def test_download_off(tmp_path: Path, no_network: list[str]) -> None:
    cfg = DataConfig(download=False, cache_dir=str(tmp_path))
    remote = Remote("data.bin", SHA, (URL,))
    with pytest.raises(DataError, match=r"data\.bin.*data\.download=false.*data\.path"):
        fetch_all(cfg, "toy", [remote])
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "data.bin").write_bytes(b"corrupt")
    with pytest.raises(DataError, match="known hash"):
        fetch_all(cfg, "toy", [remote])
    (tmp_path / "toy" / "data.bin").write_bytes(CONTENT)
    assert fetch_all(cfg, "toy", [remote]) == tmp_path / "toy"
    assert no_network == []


def test_cache_root_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAEKIT_CACHE", raising=False)
    assert cache_root(DataConfig()) == Path("~/.cache/vaekit").expanduser()
    monkeypatch.setenv("VAEKIT_CACHE", str(tmp_path / "env"))
    assert cache_root(DataConfig()) == tmp_path / "env"
    assert cache_root(DataConfig(cache_dir=str(tmp_path / "cfg"))) == tmp_path / "cfg"

