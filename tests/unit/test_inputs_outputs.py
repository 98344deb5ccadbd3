"""Output paths: refused before any work when they cannot be written, written atomically when they can."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from neurocim.errors import OutputError
from neurocim.report.outputs import (
    atomic_path,
    check_output_dir,
    check_output_file,
    staged_folder,
    write_text_atomic,
)


def test_output_files_are_checked_without_creating_anything(tmp_path):
    assert check_output_file(tmp_path / "a" / "b" / "r.json") == tmp_path / "a" / "b" / "r.json"
    assert not (tmp_path / "a").exists()  # a missing parent is fine (created on writing), not made here
    with pytest.raises(OutputError, match="is a directory; give a file name"):
        check_output_file(tmp_path)
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="f is not a folder"):
        check_output_file(tmp_path / "f" / "r.json")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        check_output_dir(tmp_path / "f")
    check_output_dir(tmp_path / "new" / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc (a place nothing can be written)")
def test_an_unwritable_place_is_refused():
    with pytest.raises(OutputError, match="cannot write in /proc"):
        check_output_file(Path("/proc/neurocim/report.json"))
    with pytest.raises(OutputError, match="cannot write in /proc"):
        check_output_dir(Path("/proc/neurocim_out"))


def test_atomic_writes_leave_the_old_file_or_the_new_one(tmp_path):
    path = tmp_path / "deep" / "r.json"
    write_text_atomic(path, "old")
    with pytest.raises(RuntimeError), atomic_path(path) as temp:
        temp.write_text("half")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old" and sorted(p.name for p in path.parent.iterdir()) == ["r.json"]
    with pytest.raises(OutputError, match=r"r\.json: cannot write \(No space left on device\)"), atomic_path(path):
        raise OSError(28, "No space left on device")
    assert path.read_text() == "old"
    with pytest.raises(OutputError), atomic_path(tmp_path / "new" / "x.json"):
        raise OSError(30, "Read-only file system")
    assert not (tmp_path / "new").exists()  # folders made for the file are removed again


def test_staged_folders_appear_whole_or_not_at_all(tmp_path):
    out = tmp_path / "runs" / "out"
    with pytest.raises(RuntimeError), staged_folder(out) as stage:
        (stage / "run.json").write_text("{}")
        raise RuntimeError("failed after one file")
    assert not (tmp_path / "runs").exists()
    with staged_folder(out) as stage:
        (stage / "run.json").write_text("{}")
        (stage / "summary.txt").write_text("ok")
    assert sorted(p.name for p in out.iterdir()) == ["run.json", "summary.txt"]
    with staged_folder(out) as stage:  # a second run replaces its files and keeps the others
        (stage / "run.json").write_text("[]")
    assert (out / "run.json").read_text() == "[]" and (out / "summary.txt").read_text() == "ok"
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_status_shows_on_a_terminal_only(monkeypatch, capsys):
    from rich.console import Console

    from neurocim.report.progress import status

    with status("working", enabled=True):  # not a terminal here: nothing
        pass
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    with status("working", enabled=False):  # --quiet: nothing
        pass
    assert capsys.readouterr().err == ""
    with status("working", enabled=True):
        pass
    assert "working" in capsys.readouterr().err
