"""The chip: tiles and periphery over a floorplan, and the per-layer cost pass."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from neurocim.arch.aggregate import ChipTotals, LayerCost, roll_up
from neurocim.arch.chip_periphery import ChipArea, ChipPeriphery
from neurocim.arch.chip_traffic import combine_layer_cost, global_buffer_traffic, layer_traffic
from neurocim.arch.chip_units import ChipUnits
from neurocim.arch.subarray.blas import single_threaded_blas
from neurocim.arch.tile_sets import SubArrayGrowth
from neurocim.arch.tile_work import TileSide, TileWork, tile_side
from neurocim.circuits.context import CircuitContext
from neurocim.report.records import AreaBreakdown, Report
from neurocim.workload.network import Layer
from neurocim.workload.prepared import PreparedWorkload, prepare
from neurocim.workload.traces import LayerTrace


class ChipModel:
    """A configured chip mapped with a network; `evaluate` runs a workload through it."""

    def __init__(
        self,
        ctx: CircuitContext,
        layers: Sequence[Layer],
        *,
        dtype: type[np.floating] = np.float32,
        workload: PreparedWorkload | None = None,
        grow: SubArrayGrowth | None = None,
    ) -> None:
        """With a `workload`, the tile side (floorplan, tiles, their costs on it) comes from the workload's cache,
        shared with chips that differ only in settings the tiles do not read. `dtype` is the precision of the
        trace-dependent read pass (float32: about 1e-6 relative to float64). `grow` lays every sub-array out again
        with more periphery beside it (a training chip's transposed read-out): the PEs, tiles, their buses and
        H-trees and the chip's periphery span the larger sub-arrays; the sub-arrays' own reads do not change."""
        self.ctx, self.dtype, self.layers, self.grow = ctx, dtype, list(layers), grow
        self._work: TileWork | None = None  # tiles this chip built and runs itself (no workload to share them)
        # the workload it was given, the tile side and the chip-level circuits' figures there
        self._kept: tuple[PreparedWorkload, TileSide, ChipUnits | None] | None = None
        windows = [layer.num_windows for layer in self.layers]  # NeuroSim's count until a workload says
        if workload is not None:
            self._check_layers(workload)
            with workload.cache.derived_results.pinned():  # what the tiles derive is kept while they are costed
                side = tile_side(ctx, self.layers, workload, dtype, grow)
                self._kept = (workload, side, self._units(workload, side))
            self.fp, self.tile_nm, self.tile_cm, windows = side.fp, side.tile_nm, side.tile_cm, list(side.windows)
        else:
            self._work = work = TileWork(ctx, self.layers, dtype=dtype, grow=grow)
            self.fp, self.tile_nm, self.tile_cm = work.fp, work.tile_nm, work.tile_cm
        self.windows: list[int] = windows  # input vectors per image of every layer
        units = self._kept[2] if self._kept is not None else None
        self.area: ChipArea = units.area() if units is not None else self._laid_out[1]

    @property
    def periphery(self) -> ChipPeriphery:
        """The chip's own circuits, laid out over the tiles (built on first use: a chip on a workload takes their
        figures from the workload's cache)."""
        return self._laid_out[0]

    @cached_property
    def _laid_out(self) -> tuple[ChipPeriphery, ChipArea]:
        periphery = ChipPeriphery(self.ctx, self.layers, self.fp)
        return periphery, periphery.layout(self.tile_nm, self.tile_cm)

    def _units(self, workload: PreparedWorkload, side: TileSide) -> ChipUnits | None:
        """The chip's circuits' figures kept in the workload's cache, where they can be kept."""
        if self.ctx.p.chip.interconnect.sync_data_transfer:
            return None
        return ChipUnits(self.ctx, self.layers, side, workload.cache)

    def _kept_on(self, workload: PreparedWorkload) -> tuple[PreparedWorkload, TileSide, ChipUnits | None] | None:
        """What this chip kept of `workload` when it was built on it, else None."""
        return self._kept if self._kept is not None and self._kept[0] is workload else None

    def _check_layers(self, workload: PreparedWorkload) -> None:
        if list(workload.layers) != self.layers:
            raise ValueError("the workload was prepared for other layers than this chip's")

    def evaluate(self, traces: PreparedWorkload | Sequence[LayerTrace]) -> Report:
        """Run a prepared workload (or traces, prepared here) through the chip and roll the costs up into a report."""
        workload = traces if isinstance(traces, PreparedWorkload) else prepare(self.layers, traces)
        self._check_layers(workload)
        if self._kept_on(workload) is not None:
            return self._evaluate(workload)  # its tiles' costs are known: no products to keep on one thread
        with single_threaded_blas(workload.cache.blas_controller()):
            return self._evaluate(workload)

    def _evaluate(self, workload: PreparedWorkload) -> Report:
        p = self.ctx.p
        side = self._side(workload)
        self.windows = list(side.windows)
        kept = self._kept_on(workload)
        units: ChipUnits | None = None  # None: the plain chip-level work (own tiles, or synchronous transfers)
        if kept is not None:
            units = kept[2]
        elif self._work is None:
            units = self._units(workload, side)
        if units is not None:
            works = units.traffic()
        else:
            works = [layer_traffic(self, i, side.clk_freq) for i in range(len(self.layers))]
        costs = [combine_layer_cost(t, work) for t, work in zip(side.tile_costs, works, strict=True)]
        if p.chip.clock.synchronous:
            # NeuroSim: cycles are converted with the sensing period even when the clock is capped
            costs = [c.scaled_latency(side.period) for c in costs]
        return self._report(costs, side.period)

    def global_buffer_costs(self, workload: PreparedWorkload) -> list[tuple[float, float]]:
        """Per layer, (latency s, energy J) of its loads from and write-backs to the global buffer per image: the
        part of the layer's buffer cost in the report `evaluate` gives that the chip's global buffer takes."""
        self._check_layers(workload)
        side = self._side(workload)
        self.windows = list(side.windows)
        scale = side.period if self.ctx.p.chip.clock.synchronous else 1.0
        found = (global_buffer_traffic(self, i, side.clk_freq) for i in range(len(self.layers)))
        return [(latency * scale, energy) for latency, energy in found]

    def _side(self, workload: PreparedWorkload) -> TileSide:
        """The tiles' costs on `workload`: run by this chip's own tiles, or kept in the workload's cache."""
        if self._work is not None:
            return self._work.run(workload)
        kept = self._kept_on(workload)
        if kept is not None:
            return kept[1]
        return tile_side(self.ctx, self.layers, workload, self.dtype, self.grow)

    def _macs(self, index: int) -> int:
        """Multiply-accumulates of a layer per image (NeuroSim: every input pixel is a window, stride ignored)."""
        layer = self.layers[index]
        if self.ctx.p.quirk("operations_ignore_stride"):
            return layer.macs
        return self.windows[index] * layer.rows * layer.out_channels

    def _report(self, costs: Sequence[LayerCost], period: float) -> Report:
        a, fp, p = self.area, self.fp, self.ctx.p
        ops = float(sum(2 * self._macs(i) for i in range(len(self.layers))))
        totals = ChipTotals(
            area=a.area,
            area_parts=AreaBreakdown(a.array, a.adc, a.accumulation, a.interconnect, a.other),
            clock_period=period,
            num_operations=ops,
            zeta=p.zeta,
            memory_utilization=fp.memory_utilization,
        )
        names = [layer.name for layer in self.layers]
        chip, layer_reports = roll_up(costs, fp.num_tiles, fp.speedup, fp.utilization, totals, p.chip.pipeline.enabled,
                                      names)  # fmt: skip
        floorplan = {
            "tile_size_cm": fp.tile_size_cm,
            "pe_size_cm": fp.pe_size_cm,
            "pe_size_nm": fp.pe_size_nm,
            "num_pe_nm": fp.num_pe_nm,
            "num_tile_row": fp.num_tile_row,
            "num_tile_col": fp.num_tile_col,
            "hierarchy_clamped": fp.hierarchy_clamped,  # smallest PE/tile used where NeuroSim stops
        }
        return Report(chip=chip, layers=layer_reports, floorplan=floorplan)
