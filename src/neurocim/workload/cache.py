"""A prepared workload's cache: read-only arrays it owns, labelled by value, and the results derived from them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from neurocim.workload.derived import DERIVED_BYTES, DerivedResults, OwnerMemo
from neurocim.workload.recorded import RecordedMemo

TILE_SIDES = 256  # tile sides a workload keeps (each holds its tiles and memoised evaluations: ~0.2 MB on VGG-8)
FLOORPLANS = 256  # floorplans a workload keeps (emptied when full)
TILE_UNITS = 64  # built tile pairs a workload keeps (one per distinct tile settings, floorplan sizes and clock)
CHIP_UNITS = 1024  # figures a workload keeps per group of chip-level circuits (a few hundred bytes each)
PE_EVALUATIONS = 256  # sets of tile (PE) evaluations a workload keeps (one per distinct tile (PE) settings and
# technology: 96 PE and 192 tile sets of a VGG-8 SRAM sweep over node, temperature and ADC hold about 30 MB)
READ_LAYOUTS = 4096  # layouts of read passes a workload keeps (a few hundred bytes each; emptied when full)


class OwnedArray(np.ndarray):
    """A read-only array owned by a WorkloadCache, labelled by value (which layer, what, under which settings).

    Views of it are identified by the label and their position in it; arrays computed from it are plain (the
    label is not inherited)."""

    label: tuple | None
    cache: WorkloadCache | None
    address: int  # of its first element, where it is labelled (views' offsets are found from it)

    def __array_finalize__(self, obj: object) -> None:
        self.label = None
        self.cache = None
        self.address = 0


def position_key(view: np.ndarray) -> tuple[OwnedArray, tuple] | None:
    """(the labelled owner of view's elements, a value key of the view: owner label, element offset, shape, strides,
    dtype), or None when view does not lie in an OwnedArray."""
    owner: object = view
    while isinstance(owner, np.ndarray) and getattr(owner, "label", None) is None:
        owner = owner.base
    if not isinstance(owner, OwnedArray) or owner.label is None:
        return None
    offset = 0 if owner is view else view.ctypes.data - owner.address
    return owner, (owner.label, offset // max(owner.itemsize, 1), view.shape, view.strides, view.dtype.str)


def read_only(a: np.ndarray) -> np.ndarray:
    """a, made read-only together with the arrays it is a view of."""
    view: object = a
    while isinstance(view, np.ndarray):
        view.setflags(write=False)
        view = view.base
    return a


class ValueMemo:
    """Results of pure computations keyed by the value of their arguments, emptied when it holds `size` of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._found: dict[Hashable, Any] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result kept under `key`, computed on first use."""
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= self.size:
                self._found.clear()
            found = self._found[key] = compute()
        return found


class WorkloadCache:
    """Bounded memo of a prepared workload: owned arrays per label, and per owner the results derived from it.

    Everything is keyed by value. Per `group` (e.g. a layer) only the `per_group` most recent owners are kept, and an
    owner's derived results go with it; the derived results together are kept within `derived_bytes` (the least
    recently used dropped first), so a sweep over settings that reshape the arrays or change the read statistics
    stays within memory."""

    def __init__(self, per_group: int = 2, derived_bytes: int = DERIVED_BYTES) -> None:
        self.per_group = per_group
        self.tile_sides: RecordedMemo = RecordedMemo(TILE_SIDES)  # the chips' tile sides, under the settings read
        # the tiles' and the PEs' evaluations (by construction key), under the settings they read
        self.tile_evaluations: RecordedMemo = RecordedMemo(PE_EVALUATIONS)
        self.pe_evaluations: RecordedMemo = RecordedMemo(PE_EVALUATIONS)
        self.tile_units: RecordedMemo = RecordedMemo(TILE_UNITS)  # the chips' tiles, under the settings they read
        self.floorplans = ValueMemo(FLOORPLANS)  # (layers, floorplan inputs) -> floorplan
        self.read_layouts = ValueMemo(READ_LAYOUTS)  # the read passes' block layouts and task splits, by value
        self._owned: dict[tuple, dict[tuple, OwnedArray]] = {}  # group -> label -> array
        self.derived_results = DerivedResults(derived_bytes)  # (owner label, key) -> result
        self._blas: ThreadpoolController | None = None
        self._results: OrderedDict[Hashable, Any] = OrderedDict()  # key -> result, most recently used last
        self._chip_units: dict[str, RecordedMemo] = {}  # the chip-level circuits' figures, per group of circuits

    def result(self, key: Hashable, compute: Callable[[], Any], keep: int = 8) -> Any:
        """The result kept under `key` (a value: what the computation reads of the chip and settings), computed on
        first use; the `keep` most recently used are kept."""
        if key in self._results:
            self._results.move_to_end(key)
            return self._results[key]
        found = self._results[key] = compute()
        while len(self._results) > keep:
            self._results.popitem(last=False)
        return found

    def chip_units(self, group: str) -> RecordedMemo:
        """The kept figures of one group of chip-level circuits (global buffer, bus ...), under the settings read."""
        found = self._chip_units.get(group)
        if found is None:
            found = self._chip_units[group] = RecordedMemo(CHIP_UNITS)
        return found

    def blas_controller(self) -> ThreadpoolController:
        """The thread controls of the BLAS libraries loaded in the process, looked up on first use (about half a
        millisecond), so that the chips of a sweep on this workload share one lookup."""
        if self._blas is None:
            self._blas = ThreadpoolController()
        return self._blas

    def __getstate__(self) -> dict[str, Any]:
        """A copy sent to another process looks its libraries up there."""
        return {**self.__dict__, "_blas": None}

    def owned(self, group: tuple, label: tuple, compute: Callable[[], np.ndarray]) -> OwnedArray:
        """The owned array `label` of `group`, computed (then made read-only and labelled) on first use."""
        arrays = self._owned.setdefault(group, {})
        found = arrays.pop(label, None)
        if found is None:
            found = self.own(compute(), (group, label))
            while len(arrays) >= self.per_group:
                self._drop(arrays, next(iter(arrays)))
        arrays[label] = found  # most recently used last
        return found

    def derived(self, owner: OwnedArray) -> OwnerMemo:
        """The memo of results derived from an owned array (its results go when it is dropped)."""
        if owner.cache is not self or owner.label is None:
            raise ValueError("derived() needs an array owned by this cache")
        return OwnerMemo(self.derived_results, owner.label)

    def own(self, a: np.ndarray, label: tuple) -> OwnedArray:
        """a (a fresh array) as a read-only array owned by this cache under `label`."""
        plain = a.view(np.ndarray)  # no OwnedArray below the labelled one, where numpy would collapse views onto it
        if not (plain.flags.c_contiguous or plain.strides == (0,) * plain.ndim):  # a zero-stride placeholder stays
            plain = np.ascontiguousarray(plain)
        out = read_only(plain).view(OwnedArray)  # a view of a read-only array is read-only
        out.label, out.cache, out.address = label, self, out.ctypes.data
        return out

    def _drop(self, arrays: dict[tuple, OwnedArray], label: tuple) -> None:
        self.derived_results.drop(arrays.pop(label).label or ())


def owner_memo(view: np.ndarray) -> tuple[WorkloadCache, OwnerMemo, tuple] | None:
    """(the cache owning the array view lies in, the memo of results derived from that array, view's value key), or
    None for an array no cache owns."""
    found = position_key(view)
    cache = None if found is None else found[0].cache
    if found is None or cache is None:
        return None
    owner, key = found
    return cache, cache.derived(owner), key


def derived_owned(source: np.ndarray, key: tuple, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """An array derived from a view of an owned array (e.g. a copy of a block of it), owned by the same cache and kept
    with that owner; computed and returned plain when source lies in no owned array."""
    found = owner_memo(source)
    if found is None:
        return compute()
    cache, memo, position = found
    label = (*position[0], "derived", position[1:], key)
    return memo.get(("owned", position, key), lambda: cache.own(compute(), label))
