"""Memo of computations keyed by the values of the settings they actually read (recorded, not listed by hand)."""

from __future__ import annotations

import types
from collections import deque
from collections.abc import Callable, Hashable
from operator import attrgetter
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class ValueKey:
    """A hashable value whose hash is computed once (a chip's technology and cell hash in about 15 us)."""

    __slots__ = ("value", "_hash")

    def __init__(self, value: Hashable) -> None:
        self.value, self._hash = value, hash(value)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        return isinstance(other, ValueKey) and self._hash == other._hash and self.value == other.value

    def __reduce__(self) -> tuple:
        return ValueKey, (self.value,)  # hashed again where it is loaded (strings hash per process)


_OWN = ("_target", "names", "_prefix")  # a ReadRecorder's own attributes; every other one is a value read


class ReadRecorder:
    """Stands in for a settings record (immutable) and notes which of its fields a computation reads. Properties and
    methods of the record run against the recorder, so the fields they read are noted too. A field holding a
    configuration section (a pydantic model) gives a recorder of that section, so what is noted is the dotted path of
    each value read (`chip.array.rows`), not the whole section. What an attribute gave is kept in the recorder's own
    attributes (the fields behind it are noted already): a later read of it is a plain attribute lookup."""

    def __init__(self, target: object, names: set[str] | None = None, prefix: str = "") -> None:
        own = self.__dict__
        own["_target"], own["names"], own["_prefix"] = target, set() if names is None else names, prefix

    def __getattr__(self, name: str) -> Any:
        if name in _OWN:  # not set yet (a copy being made): no settings to read it from
            raise AttributeError(name)
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
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings are read-only")

    def _seen(self) -> dict[str, Any]:
        """What was read so far (attribute -> what it gave)."""
        return {name: value for name, value in self.__dict__.items() if name not in _OWN}

    def __getstate__(self) -> tuple:
        """A copy's state: the methods bound to this recorder are bound again on first use."""
        seen = {name: value for name, value in self._seen().items() if not isinstance(value, types.MethodType)}
        return self._target, self.names, seen, self._prefix

    def __setstate__(self, state: tuple) -> None:
        target, names, seen, prefix = state
        self.__dict__.update(seen, _target=target, names=names, _prefix=prefix)

    def rebind(self, target: object) -> None:
        """Read `target` from now on (a record that agrees with the old one on every field noted so far: what was
        computed from them holds for it), noting into the same names. The recorders of its sections, which their
        readers may hold, are rebound to the new record's sections; what else was read is forgotten, so every read
        from now on is noted again."""
        own = self.__dict__
        own["_target"] = target
        prefix = self._prefix
        for name, value in list(own.items()):
            if name in _OWN:
                continue
            if type(value) is ReadRecorder and value._prefix == f"{prefix}{name}.":
                value.rebind(getattr(target, name))
            else:
                del own[name]


class RecordedMemo(Generic[T]):
    """Results of `compute(recorder)` kept under (`extra`, the values of the record's fields it read). A later record
    that agrees on those fields gets the kept result: a deterministic computation that reads the record only through
    the recorder, and everything else through `extra`, would read the same values and give the same result. Holds at
    most `size` results, the oldest dropped first."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._tables: dict[tuple[str, ...], dict[tuple, T]] = {}  # fields read -> key -> result
        self._order: deque[tuple[tuple[str, ...], tuple]] = deque()  # (fields read, key), oldest first
        self._getters: dict[tuple[str, ...], Callable[[object], tuple]] = {}  # fields read -> getter of their values

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
            key = (extra, self._values(record, names))
            if key in table:
                return names, table[key]
        return None

    def put(self, record: object, names: tuple[str, ...], extra: Hashable, result: T) -> None:
        """Keep `result`, computed for `record` by a computation that read (at most) the fields `names` of it."""
        table = self._tables.setdefault(names, {})
        key = (extra, self._values(record, names))
        if key not in table:
            self._order.append((names, key))
        table[key] = result
        while len(self._order) > self.size:
            old_names, old_key = self._order.popleft()
            table = self._tables[old_names]
            table.pop(old_key, None)
            if not table:
                del self._tables[old_names]

    def discard(self, record: object, names: tuple[str, ...], extra: Hashable) -> None:
        """Forget what `put(record, names, extra, ...)` kept, if it is kept."""
        key = (extra, self._values(record, names))
        table = self._tables.get(names)
        if table is None or key not in table:
            return
        del table[key]
        self._order.remove((names, key))
        if not table:
            del self._tables[names]

    def __len__(self) -> int:
        return len(self._order)

    def _values(self, record: object, names: tuple[str, ...]) -> tuple:
        getter = self._getters.get(names)
        if getter is None:
            getter = self._getters[names] = values_getter(names)
        return getter(record)

    def __getstate__(self) -> dict[str, Any]:
        """A copy sent to another process makes its getters there."""
        return {**self.__dict__, "_getters": {}}


def values_getter(paths: tuple[str, ...]) -> Callable[[object], tuple]:
    """A function giving the values at the dotted `paths` of a record, as a tuple (one attrgetter for all)."""
    if len(paths) == 1:
        one = attrgetter(paths[0])
        return lambda record: (one(record),)
    return attrgetter(*paths) if paths else lambda record: ()
