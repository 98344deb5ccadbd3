"""Memo of computations keyed by the values of the settings they actually read (recorded, not listed by hand)."""

from __future__ import annotations

import types
from collections import deque
from collections.abc import Callable, Hashable
from functools import partial
from operator import attrgetter
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class ReadRecorder:
    """Stands in for a settings record (immutable) and notes which of its fields a computation reads. Properties and
    methods of the record run against the recorder, so the fields they read are noted too. A field holding a
    configuration section (a pydantic model) gives a recorder of that section, so what is noted is the dotted path of
    each value read (`chip.array.rows`), not the whole section. What an attribute gave is kept for the next read
    (the fields behind it are noted already)."""

    __slots__ = ("_target", "names", "_seen", "_prefix")

    def __init__(self, target: object, names: set[str] | None = None, prefix: str = "") -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "names", set() if names is None else names)
        object.__setattr__(self, "_seen", {})
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> Any:
        seen = self._seen
        if name in seen:
            return seen[name]
        declared = getattr(type(self._target), name, None)
        if isinstance(declared, property) and declared.fget is not None:
            value = declared.fget(self)
        elif isinstance(declared, types.FunctionType):
            value = types.MethodType(declared, self)
        else:
            value = getattr(self._target, name)
            if isinstance(value, BaseModel):
                value = ReadRecorder(value, self.names, f"{self._prefix}{name}.")
            else:
                self.names.add(self._prefix + name)
        seen[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings are read-only")


class RecordedMemo(Generic[T]):
    """Results of `compute(recorder)` kept under (`extra`, the values of the record's fields it read). A later record
    that agrees on those fields gets the kept result: a deterministic computation that reads the record only through
    the recorder, and everything else through `extra`, would read the same values and give the same result. Holds at
    most `size` results, the oldest dropped first."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._tables: dict[tuple[str, ...], dict[tuple, T]] = {}  # fields read -> key -> result
        self._getters: dict[tuple[str, ...], Callable[[object], tuple]] = {}  # fields read -> their values' getter
        self._order: deque[tuple[tuple[str, ...], tuple]] = deque()  # (fields read, key), oldest first

    def get(self, record: object, extra: Hashable, compute: Callable[[Any], T]) -> T:
        found = self.find(record, extra)
        if found is not None:
            return found[1]
        recorder = ReadRecorder(record)
        result = compute(recorder)
        self.put(record, tuple(sorted(recorder.names)), extra, result)
        return result

    def find(self, record: object, extra: Hashable) -> tuple[tuple[str, ...], T] | None:
        """(the fields it was kept under, the result) kept for a record that agrees with `record` on those fields,
        or None."""
        for names, table in self._tables.items():
            key = (extra, self._getters[names](record))
            if key in table:
                return names, table[key]
        return None

    def put(self, record: object, names: tuple[str, ...], extra: Hashable, result: T) -> None:
        """Keep `result`, computed for `record` by a computation that read (at most) the fields `names` of it."""
        key = (extra, _values(record, names))
        table = self._tables.setdefault(names, {})
        if names not in self._getters:
            self._getters[names] = values_getter(names)
        if key not in table:
            self._order.append((names, key))
        table[key] = result
        while len(self._order) > self.size:
            old_names, old_key = self._order.popleft()
            table = self._tables[old_names]
            table.pop(old_key, None)
            if not table:
                del self._tables[old_names]
                del self._getters[old_names]

    def __len__(self) -> int:
        return len(self._order)


def _values(record: object, paths: tuple[str, ...]) -> tuple:
    """The values at the dotted `paths` of `record`."""
    return tuple(attrgetter(path)(record) for path in paths)


def values_getter(paths: tuple[str, ...]) -> Callable[[object], tuple]:
    """A function giving `_values(record, paths)` in one call (picklable, as the memo that keeps it)."""
    return attrgetter(*paths) if len(paths) > 1 else partial(_values, paths=paths)
