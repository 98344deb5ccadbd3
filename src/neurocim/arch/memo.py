"""Evaluations memoised by the value key of the owned (read-only, labelled) input arrays they read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neurocim.workload.cache import position_key

MEMO_SIZE = 4096  # entries of a bounded evaluation memo before it is emptied


class InputMemo:
    """Evaluations that see their input array only through its value key (an owned array's label and position),
    with the state they leave. Owned by one PE or tile; emptied when it reaches MEMO_SIZE."""

    def __init__(self) -> None:
        self._entries: dict[tuple, tuple] = {}

    def clear(self) -> None:
        self._entries.clear()

    def entries(self) -> dict[tuple, tuple]:
        """A copy of the memoised evaluations (key -> (result, state left)), for another unit of the same settings."""
        return dict(self._entries)

    def seed(self, entries: dict[tuple, tuple]) -> None:
        """Take memoised evaluations of a unit whose evaluations give the same results (same settings and
        construction) as this one's."""
        self._entries.update(entries)

    def call(
        self,
        inputs: np.ndarray,
        key: tuple,
        compute: Callable[[], Any],
        get_state: Callable[[], tuple],
        set_state: Callable[[tuple], None],
    ) -> Any:
        """compute(), or its memoised result for the same inputs, key and state (then the state it left is set).

        Inputs no workload cache owns are always computed."""
        found = position_key(inputs)
        if found is None:
            return compute()
        full_key = (found[1], key, get_state())
        hit = self._entries.get(full_key)
        if hit is None:
            if len(self._entries) >= MEMO_SIZE:
                self._entries.clear()
            hit = self._entries[full_key] = (compute(), get_state())
        set_state(hit[1])
        return hit[0]

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
        memoised by the inputs' value key, the weights' shape and args, with the state it leaves."""
        return self.call(inputs, (weights.shape, args), lambda: evaluate(weights, inputs, *args), get_state, set_state)
