"""Memoisation of results derived from read-only trace arrays, kept for as long as the array lives."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

_DERIVED: dict[int, dict[Any, Any]] = {}
MEMO_SIZE = 4096  # entries of a bounded evaluation memo before it is emptied


def array_identity(a: np.ndarray) -> tuple[np.ndarray, tuple]:
    """(the array owning a's memory, a key equal for every view of the same elements of it).

    Keep the owner alive as long as the key is in use: its memory cannot be handed to another array meanwhile."""
    owner = a
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    # the address of a's first element is unique among the owner's views while the owner lives
    return owner, (id(owner), a.ctypes.data, a.shape, a.strides, a.dtype.str)


def derived(owner: np.ndarray) -> dict[Any, Any]:
    """A dict for results derived from a read-only array's data; it goes when the array is garbage-collected."""
    if owner.flags.writeable:
        raise ValueError("derived() needs a read-only array: its data must not change under the memo")
    key = id(owner)
    memo = _DERIVED.get(key)
    if memo is None:
        memo = _DERIVED[key] = {}
        weakref.finalize(owner, _DERIVED.pop, key, None)
    return memo


def frozen(a: np.ndarray) -> np.ndarray:
    """a, made read-only together with the arrays it is a view of (for fresh arrays kept in a memo)."""
    view: object = a
    while isinstance(view, np.ndarray):
        view.setflags(write=False)
        view = view.base
    return a


class InputMemo:
    """Evaluations that see their read-only input array only through its identity, with the state they leave.

    Entries keep their inputs alive (their ids stay unique); the memo is emptied when it reaches MEMO_SIZE.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple, tuple] = {}

    def clear(self) -> None:
        self._entries.clear()

    def call(
        self,
        inputs: np.ndarray,
        key: tuple,
        compute: Callable[[], Any],
        get_state: Callable[[], tuple],
        set_state: Callable[[tuple], None],
    ) -> Any:
        """compute(), or its memoised result for the same inputs, key and state (then the state it left is set).

        Writable inputs may change under the memo: they are always computed."""
        owner, inputs_key = array_identity(inputs)
        if owner.flags.writeable:
            return compute()
        full_key = (inputs_key, key, get_state())
        hit = self._entries.get(full_key)
        if hit is None:
            if len(self._entries) >= MEMO_SIZE:
                self._entries.clear()
            hit = self._entries[full_key] = (owner, compute(), get_state())
        set_state(hit[2])
        return hit[1]

    def by_weight_shape(
        self,
        evaluate: Callable[..., Any],
        weights: np.ndarray,
        inputs: np.ndarray,
        args: tuple,
        get_state: Callable[[], tuple],
        set_state: Callable[[tuple], None],
    ) -> Any:
        """evaluate(weights, inputs, *args) for costs that see the weights only through their shape (SRAM cells):
        memoised by the inputs' identity, the weights' shape and args, with the state it leaves."""
        return self.call(inputs, (weights.shape, args), lambda: evaluate(weights, inputs, *args), get_state, set_state)
