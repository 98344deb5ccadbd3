"""Results derived from a workload's owned arrays, kept within a byte budget, the least recently used dropped first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

# What a workload keeps of its derived results (read statistics per read setting, distinct input vectors per row
# band, reshaped copies): a sweep over read settings adds about 4 MB of them per setting on VGG-8, so a long one over
# an eNVM chip's device resistances, node or cell type would otherwise grow without end.
DERIVED_BYTES = 512 << 20
_OBJECT_BYTES = 64  # what a Python object (a record, a container, a number) is counted as, besides its arrays
_DEPTH = 6  # levels of containers and records walked into; deeper values count as one object
_SCALARS = frozenset({int, float, complex, str, bytes, bool, type(None), np.float64, np.float32, np.int64, np.int32})


def approx_nbytes(value: object, depth: int = 0) -> int:
    """The bytes a kept result holds, roughly: its arrays' data (a view's elements too), and _OBJECT_BYTES per
    record, container and other object, walking records' attributes and containers' items _DEPTH levels deep."""
    kind = type(value)
    if kind in _SCALARS:
        return _OBJECT_BYTES
    if isinstance(value, np.ndarray):
        return value.nbytes + _OBJECT_BYTES
    if isinstance(value, (tuple, list, set, frozenset)):
        parts: Iterable[object] = value
    elif isinstance(value, dict):
        parts = [*value.keys(), *value.values()]
    else:
        parts = getattr(value, "__dict__", {}).values()  # a record's fields (and properties it has cached)
    total = _OBJECT_BYTES
    deeper = depth + 1 < _DEPTH
    for part in parts:
        total += 8 + (approx_nbytes(part, depth + 1) if deeper and type(part) not in _SCALARS else _OBJECT_BYTES)
    return total


class DerivedResults:
    """Results keyed by (owner label, key), within `budget_bytes` (approx_nbytes): a new result drops the least
    recently used ones until the others fit. Inside a `pinned()` block (a chip's tiles being costed) the results the
    block uses are not dropped for the budget (a chip whose working set alone is larger keeps it rather than deriving
    it again and again; outside blocks the newest result is kept even if it alone is larger). Dropping an owner drops
    the results derived from it."""

    def __init__(self, budget_bytes: int = DERIVED_BYTES) -> None:
        if budget_bytes < 0:
            raise ValueError(f"budget_bytes must be at least 0, got {budget_bytes}")
        self.budget_bytes = budget_bytes
        self.nbytes = 0
        # (owner, key) -> (result, its bytes, the block that used it last), most recently used last
        self._found: OrderedDict[tuple[tuple, Hashable], tuple[Any, int, int]] = OrderedDict()
        self._keys: dict[tuple, set[Hashable]] = {}  # owner label -> its results' keys
        self._block = 0  # the current (or last) pinned block
        self._depth = 0  # pinned blocks open (nested ones belong to the outermost)

    def __len__(self) -> int:
        return len(self._found)

    def __contains__(self, owner_key: tuple[tuple, Hashable]) -> bool:
        return owner_key in self._found

    @property
    def owners(self) -> list[tuple]:
        """The labels of the owners with results kept."""
        return list(self._keys)

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """A block whose results stay while it runs, whatever the budget (they go first once the next block needs
        room)."""
        if self._depth == 0:
            self._block += 1
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def get(self, owner: tuple, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result kept under (owner, key), computed and kept on first use."""
        owner_key = (owner, key)
        found = self._found.get(owner_key)
        if found is None:
            return self.put(owner, key, compute())
        if found[2] != self._block:  # used by this block now
            self._found[owner_key] = (found[0], found[1], self._block)
        self._found.move_to_end(owner_key)
        return found[0]

    def put(self, owner: tuple, key: Hashable, value: Any) -> Any:
        """Keep value under (owner, key) unless a result is kept there already; the kept result."""
        if (owner, key) in self._found:
            return self.get(owner, key, lambda: value)
        size = approx_nbytes(value)
        self._found[owner, key] = (value, size, self._block)
        keys = self._keys.get(owner)
        if keys is None:
            keys = self._keys[owner] = set()
        keys.add(key)
        self.nbytes += size
        while self.nbytes > self.budget_bytes and len(self._found) > 1:
            (old_owner, old_key), (_, _, block) = next(iter(self._found.items()))
            if self._depth and block == self._block:
                break  # everything left was used by the open block
            self._remove(old_owner, old_key)
        return value

    def drop(self, prefix: tuple) -> None:
        """Drop the results of every owner whose label starts with `prefix`."""
        for owner in [o for o in self._keys if o[: len(prefix)] == prefix]:
            for key in list(self._keys[owner]):
                self._remove(owner, key)

    def _remove(self, owner: tuple, key: Hashable) -> None:
        _, size, _ = self._found.pop((owner, key))
        self.nbytes -= size
        keys = self._keys[owner]
        keys.discard(key)
        if not keys:
            del self._keys[owner]


class OwnerMemo:
    """The results derived from one owned array (its label `owner`): a view of the workload's DerivedResults."""

    __slots__ = ("_results", "owner")

    def __init__(self, results: DerivedResults, owner: tuple) -> None:
        self._results, self.owner = results, owner

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result kept under key, computed and kept on first use."""
        return self._results.get(self.owner, key, compute)

    def put(self, key: Hashable, value: Any) -> Any:
        """Keep value under key unless a result is kept there already; the kept result."""
        return self._results.put(self.owner, key, value)
