"""Atomic writes: a crash leaves the old file or the new one, with ordinary permissions."""

import os

from vaekit.store.atomic import write_text


def test_atomic_writes_get_the_usual_file_mode(tmp_path):
    write_text(tmp_path / "a.txt", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    import pytest

    from vaekit.store.atomic import atomic_write

    write_text(tmp_path / "a.txt", "old")

    def broken(p):
        p.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(tmp_path / "a.txt", broken)
    assert (tmp_path / "a.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
