"""Helpers shared by the PE, its block reads and the tile: output widths, block sums, memoised evaluations."""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple, Protocol

import numpy as np

from neurocim.arch.cost import Cost, Part
from neurocim.arch.memo import InputMemo
from neurocim.config.derived import Derived

_LATENCIES = ("latency", "latency_adc", "latency_accum", "latency_other")
_ENERGIES = ("energy", "energy_adc", "energy_accum", "energy_other")
_SUMS = _LATENCIES + _ENERGIES


class Block(NamedTuple):
    """The work of one PE or tile evaluation: a rows x cols block of the weight matrix read with `num_vectors`
    bit-vectors (windows x input bits), held `dup_row` x `dup_col` times (array duplication, or a tile's speed-up)."""

    rows: int
    cols: int
    num_vectors: int
    dup_row: int = 1
    dup_col: int = 1


class MemoisedUnit(Protocol):
    """A PE or tile: evaluations memoised by their inputs' value key, with the leakage state NeuroSim carries."""

    _eval_memo: InputMemo

    def _evaluate(self, *args: Any, **kwargs: Any) -> Cost: ...  # (weights, inputs, *arguments, with_adc=...)

    def _leakage_state(self) -> tuple: ...

    def _set_leakage_state(self, state: tuple) -> None: ...


def by_shape(unit: MemoisedUnit, weights: np.ndarray, inputs: np.ndarray, args: tuple, with_adc: bool = True) -> Cost:
    """unit._evaluate(weights, inputs, *args, with_adc=with_adc) for costs that see the weights only through their
    shape: the units that read the same (owned) inputs, a row band, are evaluated once."""
    evaluate = functools.partial(unit._evaluate, with_adc=with_adc)
    return unit._eval_memo.by_weight_shape(
        evaluate, weights, inputs, args, unit._leakage_state, unit._set_leakage_state
    )


def plus_adc_energy(
    unit: MemoisedUnit, weights: np.ndarray, inputs: np.ndarray, args: tuple, adc: float | None
) -> Cost:
    """Costs whose ADC energy `adc` (J) comes from the read statistics: the costs without it (which depend on the
    weights' shape only) plus it, in the total and in its ADC part; the full evaluation where adc is None."""
    if adc is None:
        return unit._evaluate(weights, inputs, *args)
    base = by_shape(unit, weights, inputs, args, with_adc=False)
    return base.updated(energy=base.energy + adc, energy_adc=base.energy_adc + adc)


def subarray_output_bits(p: Derived) -> int:
    """NeuroSim's numBitSubarrayOutput: width of a sub-array's shift-added partial sum."""
    if p.quirk("v21_adder_widths"):  # V2.1: one bit per cell column, not the cells' bits
        read = math.log2(p.chip.adc.levels) if p.parallel_read else math.log2(p.chip.array.rows) + p.cell_bits - 1
        return int(read + p.chip.precision.input_bits + p.cols_per_weight + 1)
    if p.parallel_read:
        bits = math.log2(p.chip.adc.levels) + math.ceil(math.log2(p.read_groups)) + p.chip.precision.input_bits
    else:
        bits = math.ceil(math.log2(p.chip.array.rows)) + p.cell_bits + p.chip.precision.input_bits
    return int(bits + (p.cols_per_weight - 1) * p.cell_bits + 1)


def divide_int(a: int, b: int) -> int:
    """C integer division (truncation toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


_TREE_COLUMNS = (_SUMS.index("latency"), _SUMS.index("latency_accum"))  # latency columns the adder tree adds to


def combine_blocks(sums: np.ndarray, tree: tuple[float, float] | None) -> Cost:
    """Sub-arrays of a PE work in parallel: the latencies of blocks with read costs `sums` (blocks x _SUMS) are the
    slowest block's, the energies the total; with `tree` = (latency, energy), every block adds an adder-tree pass."""
    n_lat = len(_LATENCIES)
    lat = sums[:, :n_lat]
    if tree is not None:
        lat = lat.copy()
        lat[:, _TREE_COLUMNS] += tree[0]
    if np.isfinite(lat).all():
        worst = np.maximum(lat.max(axis=0), 0.0)
    else:  # NeuroSim's fold max(x, acc), which forgets a nan unless the last block has it
        worst = np.zeros(n_lat)
        for row in lat:
            worst = np.array([max(x, acc) for x, acc in zip(row, worst, strict=True)])
    total = sums[:, n_lat:].sum(axis=0)  # row after row, as the original accumulates
    cost = Cost(**dict(zip(_LATENCIES + _ENERGIES, worst.tolist() + total.tolist(), strict=True)))
    return cost if tree is None else cost.plus(Part.ACCUMULATION, 0.0, tree[1] * len(sums))
