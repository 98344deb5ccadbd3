"""Read the arrays of an .npz archive safely: every container fault becomes one message naming the file."""

from __future__ import annotations

import math
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from neurocim.errors import clipped
from neurocim.workload.traces import TraceError

_BLOCK_BYTES = 1 << 18  # bytes decompressed per read


class NpzError(TraceError):
    """An .npz file that cannot be read as an archive of numpy arrays."""


def _invalid(path: Path, why: str) -> NpzError:
    return NpzError(f"{path} is not a valid .npz ({why})")


class NpzArchive:
    """The members of an .npz file; arrays are read (and checked) one by one on request."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise NpzError(f"{self.path}: is a directory, expected an .npz file")
        if not self.path.is_file():
            raise NpzError(f"{self.path}: trace file not found")
        size = self.path.stat().st_size
        if size == 0:
            raise _invalid(self.path, "the file is empty, 0 bytes")
        try:
            self._zip = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile as err:
            raise _invalid(self.path, f"not a zip archive: {err}") from None
        except OSError as err:
            raise _invalid(self.path, f"cannot be read: {err.strerror or err}") from None
        except (ValueError, EOFError, RuntimeError) as err:
            raise _invalid(self.path, f"damaged zip directory: {clipped(str(err))}") from None
        try:
            self._check_headers()
        except BaseException:
            self._zip.close()
            raise
        self._members = {n[: -len(".npy")]: n for n in self._zip.namelist() if n.endswith(".npy")}

    def _check_headers(self) -> None:
        """Open every member once (no data read): the local headers must agree with the directory's names."""
        for info in self._zip.infolist():
            try:
                self._zip.open(info).close()
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as err:
                raise _invalid(self.path, f"member {info.filename!r} is damaged: {clipped(str(err))}") from None

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def keys(self) -> list[str]:
        return sorted(self._members)

    def __contains__(self, key: str) -> bool:
        return key in self._members

    def read(self, key: str) -> np.ndarray:
        """The array stored as `key`, with its header checked against the stored size before it is allocated."""
        if key not in self._members:
            raise NpzError(f"{self.path}: key {key!r} missing (keys: {_listing(self.keys())})")
        info = self._zip.getinfo(self._members[key])
        try:
            with self._zip.open(info) as f:
                return self._read_member(f, info, key)
        except NpzError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as err:
            raise _invalid(self.path, f"member {key!r} is damaged: {clipped(str(err) or type(err).__name__)}") from None

    def _read_member(self, f, info: zipfile.ZipInfo, key: str) -> np.ndarray:
        version = np.lib.format.read_magic(f)
        reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        if version not in reader:
            raise _invalid(self.path, f"member {key!r} has unknown .npy format version {version}")
        shape, fortran, dtype = reader[version](f)
        if dtype.hasobject:
            raise _invalid(self.path, f"member {key!r} holds Python objects; only plain numeric arrays are read")
        count = math.prod(shape)
        nbytes = count * dtype.itemsize
        if f.tell() + nbytes != info.file_size:
            raise _invalid(
                self.path,
                f"member {key!r}: its header announces {shape} {dtype} ({nbytes} bytes) but it stores "
                f"{info.file_size - f.tell()} bytes",
            )
        array = np.empty(count, dtype=dtype)
        data = array.view(np.uint8).data if nbytes else memoryview(b"")
        done = 0
        while done < nbytes:  # in blocks: one large read would concatenate the decompressed pieces repeatedly
            block = f.read(min(_BLOCK_BYTES, nbytes - done))
            if not block:
                raise _invalid(self.path, f"member {key!r} is truncated")
            data[done : done + len(block)] = block
            done += len(block)
        if f.read(1):  # also makes the archive check the member's CRC
            raise _invalid(self.path, f"member {key!r} holds more bytes than its header announces")
        array = array.reshape(shape[::-1]).T if fortran else array.reshape(shape)
        return array if dtype.isnative else array.astype(dtype.newbyteorder("="))


def _listing(keys: Iterable[str], limit: int = 12) -> str:
    keys = list(keys)
    shown = ", ".join(keys[:limit])
    return shown + (f", ... ({len(keys)} in all)" if len(keys) > limit else "") if keys else "none"
