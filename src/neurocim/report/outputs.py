"""Output paths: checked before any computation, written atomically (temporary file or folder, then rename)."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from neurocim.errors import OutputError

_NEW_FILE = os.O_CREAT | os.O_EXCL | os.O_WRONLY  # create, failing if the name exists


def _existing_ancestor(path: Path) -> Path:
    """The nearest folder above `path` that exists (`path`'s parent when it exists)."""
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    return parent


def _probe_writable(folder: Path, shown_as: Path, what: str) -> None:
    """Create and remove a file in `folder`: the one reliable test (permissions, read-only mounts, full quota)."""
    if not folder.is_dir():
        raise OutputError(f"{what} {shown_as}: {folder} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".neurocim-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise OutputError(f"{what} {shown_as}: cannot write in {folder} ({err.strerror or err})") from None


def check_output_file(path: str | Path, what: str = "output file") -> Path:
    """Refuse, before any work, an output file that could not be written: a folder, or an unwritable place."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{what} {path}: is a directory; give a file name")
    if path.exists() and not path.is_file():
        raise OutputError(f"{what} {path}: exists and is not a regular file")
    _probe_writable(_existing_ancestor(path), path, what)
    return path


def check_output_dir(path: str | Path, what: str = "output folder") -> Path:
    """Refuse, before any work, an output folder that is a file or lies where nothing can be written."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{what} {path}: exists and is not a folder")
    _probe_writable(path if path.is_dir() else _existing_ancestor(path), path, what)
    return path


def _make_parents(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; the folders created, deepest first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for f in reversed(missing):
        f.mkdir()
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for f in folders:
        try:
            f.rmdir()
        except OSError:
            return


def _fresh(where: Path, name: str, suffix: str, create: Callable[[Path], object]) -> Path:
    """A new hidden `.{name}.<random>.tmp{suffix}` in `where`, made by `create` (which fails if it exists), with the
    usual permissions (umask applies)."""
    for _ in range(100):
        temp = where / f".{name}.{secrets.token_hex(4)}.tmp{suffix}"
        try:
            create(temp)
        except FileExistsError:
            continue
        return temp
    raise FileExistsError(f"no free temporary name in {where}")


def _new_temp_file(path: Path) -> Path:
    """An empty file next to `path` with a fresh name."""
    return _fresh(path.parent, path.name, path.suffix, lambda p: os.close(os.open(p, _NEW_FILE, 0o666)))


@contextmanager
def atomic_path(path: str | Path, what: str = "output file") -> Iterator[Path]:
    """A temporary path next to `path` to write to; renamed onto `path` when the block succeeds, else removed.

    An OSError while writing (full disk, read-only place) becomes an OutputError naming `path`.
    """
    path = Path(path)
    check_output_file(path, what)
    try:
        created = _make_parents(path.parent)
    except OSError as err:
        raise OutputError(f"{what} {path}: cannot create its folder ({err.strerror or err})") from None
    try:
        temp = _new_temp_file(path)
    except OSError as err:
        _remove_empty(created)
        raise OutputError(f"{what} {path}: cannot write ({err.strerror or err})") from None
    try:
        yield temp
        os.replace(temp, path)
    except BaseException as err:
        temp.unlink(missing_ok=True)
        _remove_empty(created)
        if isinstance(err, OSError):
            raise OutputError(f"{what} {path}: cannot write ({err.strerror or err})") from None
        raise


def write_text_atomic(path: str | Path, text: str, what: str = "output file") -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_path(path, what) as temp:
        temp.write_text(text, encoding="utf-8")


def _new_temp_folder(where: Path, name: str) -> Path:
    """An empty folder in `where` with a fresh hidden name."""
    return _fresh(where, name, "", Path.mkdir)


@contextmanager
def staged_folder(folder: str | Path, what: str = "output folder") -> Iterator[Path]:
    """A temporary folder to write files into, which become `folder`'s files when the block succeeds.

    A new `folder` appears whole (the staging folder is renamed to it); into an existing one the files are moved
    one by one (renames within it). On failure nothing is left: no staging folder, no new or empty `folder`.
    """
    folder = Path(folder)
    check_output_dir(folder, what)
    exists = folder.is_dir()
    created: list[Path] = []
    try:
        if not exists:
            created = _make_parents(folder.absolute().parent)
        stage = _new_temp_folder(folder if exists else folder.absolute().parent, folder.name)
    except OSError as err:
        _remove_empty(created)
        raise OutputError(f"{what} {folder}: cannot write ({err.strerror or err})") from None
    try:
        yield stage
        if exists:
            _move_into(stage, folder, what)
        else:
            os.rename(stage, folder)
    except BaseException as err:
        shutil.rmtree(stage, ignore_errors=True)
        _remove_empty(created)
        if isinstance(err, OSError):
            raise OutputError(f"{what} {folder}: cannot write ({err.strerror or err})") from None
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _move_into(stage: Path, folder: Path, what: str) -> None:
    """Move the files of `stage` into `folder`, replacing files of the same names."""
    items = sorted(stage.iterdir())
    for item in items:
        target = folder / item.name
        if target.is_dir() and not item.is_dir():
            raise OutputError(f"{what} {folder}: {target} is a directory; cannot replace it with a file")
    for item in items:
        os.replace(item, folder / item.name)
