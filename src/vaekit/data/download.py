"""Download built-in data sets into a cache, checking a known hash (built on ``pooch``).

Cache folder: ``cfg.cache_dir`` if set, else ``$VAEKIT_CACHE`` if set, else ``~/.cache/vaekit``;
each data set gets a subfolder (``~/.cache/vaekit/mnist/...``). A file already in the cache
with the right hash is used without touching the network. Only downloaded/cached files are
hash-checked: files in a folder the user passes as ``data.path`` are trusted as given.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pooch
from pooch.hashes import hash_matches

from vaekit.config.schema import DataConfig
from vaekit.errors import DataError

# pooch's downloader protocol: downloader(url, output_file, pooch_instance).
Downloader = Callable[[str, str, object], None]


@dataclass(frozen=True)
class Remote:
    """One file to download: its name, a pooch hash (``sha256:...`` or ``md5:...``), mirrors."""

    filename: str
    known_hash: str
    urls: tuple[str, ...]


def cache_root(cfg: DataConfig) -> Path:
    """The download cache folder (see the module docstring for the precedence)."""
    root = cfg.cache_dir or os.environ.get("VAEKIT_CACHE") or "~/.cache/vaekit"
    return Path(root).expanduser()


def _manual_hint(what: str) -> str:
    return (f"or fetch {what} yourself, put the files in a folder and pass "
            "--set data.path=FOLDER (data.path in a config file)")


def fetch(urls: str | Sequence[str], filename: str, known_hash: str, cache_dir: str | Path,
          *, downloader: Downloader | None = None) -> Path:
    """Return ``cache_dir/filename``, downloading it from the first working mirror if needed.

    ``known_hash`` is ``"sha256:<hex>"`` (a bare hex digest means sha256) or ``"md5:<hex>"``.
    A hash mismatch or a network failure on every mirror raises DataError naming the file and
    URL. ``downloader`` replaces pooch's HTTP downloader (tests use it to stay offline).
    """
    url_list = [urls] if isinstance(urls, str) else list(urls)
    progress = sys.stderr.isatty() and downloader is None
    errors: list[str] = []
    for url in url_list:
        try:
            path = pooch.retrieve(url, known_hash=known_hash, fname=filename, path=cache_dir,
                                  downloader=downloader, progressbar=progress)
            return Path(path)
        except (ValueError, OSError) as e:  # requests errors are OSErrors; bad hash a ValueError
            bad_hash = "does not match the known hash" in str(e)
            reason = "content does not match its known hash" if bad_hash else str(e)
            errors.append(f"{url}: {reason.splitlines()[0]}")
    raise DataError(f"could not download {filename} ({'; '.join(errors)}); retry later "
                    f"{_manual_hint('it')}")


def fetch_all(cfg: DataConfig, dataset: str, remotes: Sequence[Remote]) -> Path:
    """Make every file of ``remotes`` present in ``cache_root(cfg)/dataset``; return that folder.

    With ``cfg.download`` False nothing is downloaded: files already cached with the right hash
    are used, otherwise a DataError tells where to put them.
    """
    folder = cache_root(cfg) / dataset
    for remote in remotes:
        if not cfg.download:
            target = folder / remote.filename
            if not target.is_file():
                raise DataError(f"{dataset}: {remote.filename} is not in {folder} and downloads "
                                f"are off (data.download=false); put it there, allow downloads, "
                                f"{_manual_hint('the data set')}")
            if not hash_matches(str(target), remote.known_hash):
                raise DataError(f"{dataset}: cached {target} does not match its known hash "
                                "(corrupt or incomplete); delete it and allow downloads")
            continue
        fetch(remote.urls, remote.filename, remote.known_hash, folder)
    return folder
