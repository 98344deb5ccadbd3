"""The chip's own circuits' areas and per-layer work, kept in the workload's cache under the settings each reads."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from neurocim.arch.chip_periphery import (
    ChipArea,
    ChipPeriphery,
    UnitAreas,
    compose_area,
    placed_tiles,
    tile_sides,
    unit_sides,
)
from neurocim.arch.chip_traffic import (
    ChipLayerWork,
    Pair,
    accumulation_cost,
    activation_cost,
    bits_moved,
    global_buffer_traffic,
    interconnect_cost,
    pooling_cost,
    unit_work,
)
from neurocim.arch.tile_work import TileSide
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.config.chip import ActivationPlace
from neurocim.config.derived import Derived
from neurocim.mapping.floorplan import Floorplan
from neurocim.workload.cache import WorkloadCache
from neurocim.workload.network import Layer
from neurocim.workload.recorded import ReadRecorder, ValueKey

# Any positive side to lay out a circuit whose area does not depend on it (the global buffer, max pooling, ReLU and
# sigmoid take their area from their parts and only reshape it: tests/unit/test_chip_units.py checks it)
ANY_SIDE_M = 1.0
# the clock a view carries for work kept without the tile side's clock in its key: a use of it gives NaN, which the
# report's check refuses (tests/unit/test_chip_units.py checks the kept figures against the chip's own)
_UNCLOCKED = math.nan


@dataclass(frozen=True)
class _View:
    """One chip's circuits (built as they are first used) as the chip-level work functions read a chip."""

    ctx: CircuitContext
    layers: Sequence[Layer]
    fp: Floorplan
    windows: Sequence[int]
    area: ChipArea  # only its tile sides are read
    periphery: ChipPeriphery
    clk_freq: float  # the clock the work is evaluated at (the tile side's)


@dataclass(frozen=True)
class _Work:
    """What one circuit (or group) adds: per layer, one (latency, energy) pair per part; and its areas, m^2."""

    per_layer: tuple[tuple[Pair, ...], ...]
    areas: tuple[float, ...] = ()


class ChipUnits:
    """The chip-level circuits of a chip (its settings `ctx`) over one tile side, their figures kept in `cache`.

    Each group of circuits is evaluated once per value of what it reads: the chip's settings it reads (recorded),
    the technology and cell, the tile side's floorplan, and: the logic's work the windows and the tile side's clock,
    the global buffer's the windows (it runs at its own clock), the bus's the windows, the clock and the tiles'
    sides, the accumulation's area the global buffer's height. Equal to ChipPeriphery's layout and `layer_traffic`
    for an asynchronous-transfer chip (the synchronous-transfer tree is laid out over the tiles' areas: not kept
    here)."""

    def __init__(self, ctx: CircuitContext, layers: Sequence[Layer], side: TileSide, cache: WorkloadCache) -> None:
        if ctx.p.chip.interconnect.sync_data_transfer:
            raise ValueError("ChipUnits: a synchronous-transfer chip lays its tree out over the tiles' areas")
        self.ctx, self.layers, self.side, self.cache = ctx, layers, side, cache
        self.sides = tile_sides(side.tile_nm, side.tile_cm)
        self._on_floorplan = (ctx.tech, ctx.cell, side.fp)
        clocked = ValueKey((*self._on_floorplan, side.windows, side.clk_freq))
        # the global buffer's work runs at the clock its settings give it, not the tile side's: kept across clocks
        buffer = ValueKey((*self._on_floorplan, side.windows))
        self._keys = {"logic": clocked, "buffer": buffer, "bus": ValueKey((clocked, self.sides))}
        self._found: dict[str, _Work] = {}

    def area(self) -> ChipArea:
        """The chip's area and its breakdown (ChipPeriphery.layout's)."""
        logic, buffer, bus = self._kept("logic"), self._kept("buffer"), self._kept("bus")
        unit_h, _ = unit_sides(self.sides)
        height = self.side.fp.num_tile_row * unit_h
        key = ValueKey((*self._on_floorplan, height))  # its area reads neither the windows nor the clock
        accumulation = self._get("accumulation", key, lambda view: _accumulation_area(view, height), _UNCLOCKED)
        areas = UnitAreas(bus.areas[0], buffer.areas[0], logic.areas[0], accumulation, logic.areas[1])
        fp, side = self.side.fp, self.side
        return compose_area(placed_tiles(fp, side.tile_nm, side.tile_cm), self.sides, areas)

    def traffic(self) -> list[ChipLayerWork]:
        """Per layer, what the chip's circuits add (`layer_traffic`'s, at the tile side's clock)."""
        logic, buffer, bus = self._kept("logic"), self._kept("buffer"), self._kept("bus")
        return [
            unit_work(act, acc, pool, buf, ic)
            for (act, acc, pool), (buf,), (ic,) in zip(logic.per_layer, buffer.per_layer, bus.per_layer, strict=True)
        ]

    def _kept(self, kind: str) -> _Work:
        found = self._found.get(kind)
        if found is None:
            clk_freq = _UNCLOCKED if kind == "buffer" else None
            found = self._found[kind] = self._get(kind, self._keys[kind], _GROUPS[kind], clk_freq)
        return found

    def _get(self, kind: str, key: ValueKey, evaluate: Callable[[_View], Any], clk_freq: float | None = None) -> Any:
        """evaluate(a view of this chip), kept under `key` and the settings it reads; `clk_freq` is the clock the
        view carries (default the tile side's; _UNCLOCKED for work whose key leaves the clock out)."""
        side, layers, sides = self.side, self.layers, self.sides
        tech, cell = self.ctx.tech, self.ctx.cell
        clock = side.clk_freq if clk_freq is None else clk_freq

        def compute(params: ReadRecorder) -> Any:
            ctx = CircuitContext(tech, cast(Derived, params), cell)
            periphery = ChipPeriphery(ctx, layers, side.fp)
            area = ChipArea(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, *sides)
            return evaluate(_View(ctx, layers, side.fp, side.windows, area, periphery, clock))

        return self.cache.chip_units(kind).get(self.ctx.p, key, compute)


def _logic(view: _View) -> _Work:
    """Activation, accumulation and max pooling per layer; the areas of max pooling and the activation unit."""
    per, clk = view.periphery, view.clk_freq
    pool_area = per.max_pool.layout(new_width=ANY_SIDE_M, mode=Layout.NONE).area
    activation = per.relu if per.relu is not None else per.sigmoid
    activation_area = activation.layout(new_width=ANY_SIDE_M).area if activation is not None else 0.0
    on_chip = view.ctx.p.chip.activation.place is ActivationPlace.CHIP
    per_layer = tuple(
        (
            activation_cost(view, i, clk) if on_chip else (0.0, 0.0),
            accumulation_cost(view, i, clk),
            pooling_cost(view, i, clk),
        )
        for i in range(len(view.layers))
    )
    return _Work(per_layer, (pool_area, activation_area))


def _buffer(view: _View) -> _Work:
    """The global buffer's loads and write-backs per layer; the area of all its cores."""
    per, clk = view.periphery, view.clk_freq
    area = per.buffer.layout(ANY_SIDE_M, 0.0, Layout.NONE).area * per.num_buffer_core
    return _Work(tuple((global_buffer_traffic(view, i, clk),) for i in range(len(view.layers))), (area,))


def _bus(view: _View) -> _Work:
    """The global bus's (or H-tree's) transfers per layer; its area over the grid of tiles."""
    per, clk = view.periphery, view.clk_freq
    bus = per.htree if per.htree is not None else per.xy_bus
    assert bus is not None  # an asynchronous-transfer chip has the XY bus or the H-tree
    a = view.area
    unit_h, unit_w = unit_sides((a.tile_height_cm, a.tile_width_cm, a.tile_height_nm, a.tile_width_nm))
    area = bus.layout(unit_h, unit_w, view.ctx.p.chip.interconnect.tree_folded_ratio).area
    per_layer = tuple(
        (interconnect_cost(view, i, *bits_moved(view, i), clk),) for i in range(len(view.layers))
    )
    return _Work(per_layer, (area,))


def _accumulation_area(view: _View, buffer_height: float) -> float:
    """The chip accumulation's area, laid out along a third of the global buffer's height."""
    return view.periphery.accumulation.layout(new_width=buffer_height / 3, mode=Layout.NONE).area


_GROUPS: dict[str, Callable[[_View], _Work]] = {"logic": _logic, "buffer": _buffer, "bus": _bus}
