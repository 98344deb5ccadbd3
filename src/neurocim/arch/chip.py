"""The chip: tiles and periphery over a floorplan, the clock pass and the per-layer cost pass."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

import numpy as np

from neurocim.arch.aggregate import ChipTotals, LayerCost, roll_up
from neurocim.arch.blas import single_threaded_blas
from neurocim.arch.block_mapping import copy_array, copy_input, levels_to_cells, reshape_array, reshape_input
from neurocim.arch.chip_periphery import ChipArea, ChipPeriphery
from neurocim.arch.chip_traffic import combine_layer_cost, layer_traffic
from neurocim.arch.cost import Cost
from neurocim.arch.tile_sets import build_tiles
from neurocim.circuits.context import CircuitContext
from neurocim.mapping.floorplan import Floorplan, plan_floor
from neurocim.report.records import AreaBreakdown, Report
from neurocim.workload.cache import derived_owned
from neurocim.workload.network import Layer
from neurocim.workload.prepared import PreparedWorkload, prepare
from neurocim.workload.traces import LayerTrace, csv_weight_levels


def _combine(results: Sequence[Cost]) -> Cost:
    """Tiles of one layer run in parallel: latency is the slowest tile, energy the sum; leakage is the last tile's."""
    last = results[-1] if results else Cost()
    return replace(Cost.parallel(results), leakage=last.leakage, leakage_sram_in_use=last.leakage_sram_in_use)


def _cell_digits(trace: LayerTrace, key: tuple, shape_only: bool) -> np.ndarray:
    """Cell digits (rows x columns) of a trace's weights for key = (synapse_bit, weight_min, weight_max, cell_bit,
    cells per synapse, weights rounded as NeuroSim's CSV files, top level wraps). With `shape_only` (cells whose reads
    ignore the stored values: SRAM) a zero placeholder of their shape that takes no memory."""
    synapse_bit, w_min, w_max, cell_bit, cps, csv_rounded, top_wraps = key
    if shape_only:
        return np.broadcast_to(np.zeros(1, dtype=np.int8), (trace.rows, trace.weights.shape[1] * cps))

    def cell_digits(w: np.ndarray) -> np.ndarray:  # (n,) weights -> (n, cells per synapse) digits
        levels = csv_weight_levels(w, synapse_bit, w_min, w_max, csv_rounded)
        if not top_wraps:  # levels run 0..2^bits; the top one has no digits of its own
            levels = np.minimum(levels, (1 << synapse_bit) - 1)
        return levels_to_cells(levels[:, None], cell_bit, cps)

    return trace.map_weights(cell_digits).reshape(trace.rows, -1)


def _copied(reshape, source: np.ndarray, *args: int) -> np.ndarray:
    """reshape(source, *args), a copy, kept in the workload cache with an owned source for the next configuration.
    A zero placeholder (all strides 0) gives a placeholder of the block's shape."""

    def compute() -> np.ndarray:
        if source.ndim == 2 and source.strides == (0, 0) and reshape is reshape_array:
            row, col, num_row, num_col, num_pe, stride = args
            rows = reshape(source[:, :1], row, 0, num_row, 1, num_pe, stride).shape[0]
            return np.broadcast_to(source[:1, :1], (rows, len(range(source.shape[1])[col : col + num_col])))
        return reshape(source, *args)

    return derived_owned(source, (reshape.__name__, args), compute)


class ChipModel:
    """A configured chip mapped with a network; `evaluate` runs traces through it."""

    def __init__(self, ctx: CircuitContext, layers: Sequence[Layer], *, dtype: type[np.floating] = np.float32) -> None:
        """`dtype` is the precision of the trace-dependent read pass: float32 (default) agrees with float64 to
        about 1e-6 relative, well inside the chip-level tolerances, and is several times faster."""
        self.ctx = ctx
        self.dtype = dtype
        self.layers = list(layers)
        self.fp: Floorplan = plan_floor(self.layers, ctx.p)
        init_freq = ctx.p.clk_freq_max_hz  # what every module sees at initialisation
        self.tile_nm, self.tile_cm = build_tiles(ctx, self.fp, init_freq, dtype=dtype)
        self.periphery = ChipPeriphery(ctx, self.layers, self.fp, init_freq)
        self.area: ChipArea = self.periphery.layout(self.tile_nm, self.tile_cm)
        # input vectors per image of every layer (NeuroSim's count until a workload says how many were computed)
        self.windows: list[int] = [layer.num_windows for layer in self.layers]

    # ----------------------------------------------------------------------------------------- tiles
    def _tile_blocks(self, index: int, memory: np.ndarray, inputs: np.ndarray):
        """Yield (tile, weight block, input block, rows, cols) for every tile a layer occupies."""
        p, fp, layer = self.ctx.p, self.fp, self.layers[index]
        rows_total = layer.rows * p.num_row_per_synapse
        cols_total = layer.out_channels * p.num_col_per_synapse
        nv = self.windows[index] * p.num_bit_input
        if not fp.is_novel[index]:
            t = fp.tile_size_cm
            for i in range(math.ceil(rows_total / t)):
                for j in range(math.ceil(cols_total / t)):
                    nr, nc = min(t, rows_total - i * t), min(t, cols_total - j * t)
                    yield (
                        self.tile_cm,
                        copy_array(memory, i * t, j * t, nr, nc),
                        copy_input(inputs, i * t, nv, nr),
                        nr,
                        nc,
                    )
            return
        pe, num_pe = fp.pe_size_nm, fp.num_pe_nm
        ch_rows = layer.in_channels * p.num_row_per_synapse
        n_row_tiles = math.ceil(ch_rows / pe)
        n_col_tiles = math.ceil(cols_total / pe)
        per_pe_rows = ch_rows // n_row_tiles
        per_pe_cols = cols_total // n_col_tiles
        for i in range(n_row_tiles):
            # one copy of the row band's weights and inputs; the tiles' blocks are views of it (one owner lets the
            # read pass take the strips of a row band together)
            block_in = _copied(reshape_input, inputs, i * pe, nv, per_pe_rows, num_pe, ch_rows)
            band = _copied(reshape_array, memory, i * pe, 0, per_pe_rows, cols_total, num_pe, ch_rows)
            for j in range(n_col_tiles):
                nr = int(min(pe * num_pe, rows_total - i * pe * num_pe))
                nc = int(min(pe, cols_total - j * pe))
                yield self.tile_nm, band[:, j * pe : j * pe + per_pe_cols], block_in, nr, nc

    def _run_tiles(
        self, index: int, memory: np.ndarray, inputs: np.ndarray, clk_freq: float, clock_pass: bool
    ) -> Cost:
        fp, p = self.fp, self.ctx.p
        nv = self.windows[index] * p.num_bit_input
        novel = fp.is_novel[index]
        num_pe, pe_size = (fp.num_pe_nm, fp.pe_size_nm) if novel else (fp.num_pe_cm, fp.pe_size_cm)
        results = [
            tile.evaluate(
                block,
                block_in,
                novel,
                num_pe,
                pe_size,
                fp.speedup_row[index],
                fp.speedup_col[index],
                nr,
                nc,
                nv,
                clk_freq,
                clock_pass,
            )
            for tile, block, block_in, nr, nc in self._tile_blocks(index, memory, inputs)
        ]
        return _combine(results)

    # ----------------------------------------------------------------------------------------- passes
    def _layer_arrays(self, workload: PreparedWorkload) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per layer: cell digits (rows x columns) and input bit planes of the windows NeuroSim reads, owned by the
        workload's cache (read-only)."""
        p, cache = self.ctx.p, workload.cache
        key = (
            p.synapse_bit,
            p.algo_weight_min,
            p.algo_weight_max,
            p.cell_bit,
            p.num_col_per_synapse,
            p.quirk("weights_rounded_as_csv"),
            p.quirk("top_weight_level_wraps"),
        )
        shape_only = self.tile_cm.pe.column_model.weight_independent  # SRAM reads see the weights' shape only
        out: list[tuple[np.ndarray, np.ndarray]] = []
        for index, trace in enumerate(workload.traces):
            windows = self.windows[index]
            memory = cache.owned(("digits", index), (key, shape_only), partial(_cell_digits, trace, key, shape_only))
            inputs = cache.owned(("inputs", index), (windows,), partial(trace.input_bit_planes, windows))
            out.append((memory, inputs))
        return out

    def clock_period(self, arrays: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
        """Longest sensing latency over every layer (NeuroSim's clock pass, synchronous chips only)."""
        init_freq = self.ctx.p.clk_freq_max_hz
        periods = [self._run_tiles(i, m, x, init_freq, True).clk_period for i, (m, x) in enumerate(arrays)]
        return max(periods)

    def layer_cost(self, index: int, memory: np.ndarray, inputs: np.ndarray, clk_freq: float) -> LayerCost:
        """Cost of one layer in cycles (synchronous) or seconds: tiles, then chip-level units and data movement."""
        return self._layer_cost(index, self._run_tiles(index, memory, inputs, clk_freq, False), clk_freq)

    def _tile_passes(self, workload: PreparedWorkload) -> tuple[float, float, list[Cost]]:
        """(clock period, clock, per-layer tile costs): the clock pass and the tile part of the main pass."""
        p = self.ctx.p
        arrays = self._layer_arrays(workload)
        tiles = [t for t in (self.tile_nm, self.tile_cm) if t is not None]
        for tile in tiles:  # every pass starts from the tiles' initial state
            tile.reset_state()
        period, clk_freq = 0.0, p.clk_freq_max_hz
        if p.synchronous:
            period = self.clock_period(arrays)
            clk_freq = min(clk_freq, 1.0 / period)
        return period, clk_freq, [self._run_tiles(i, m, x, clk_freq, False) for i, (m, x) in enumerate(arrays)]

    def _layer_cost(self, index: int, t: Cost, clk_freq: float) -> LayerCost:
        """layer_cost from the layer's tile costs `t`."""
        return combine_layer_cost(t, layer_traffic(self, index, clk_freq))

    def evaluate(self, traces: PreparedWorkload | Sequence[LayerTrace]) -> Report:
        """Run a prepared workload (or traces, prepared here) through the chip and roll the costs up into a report."""
        workload = traces if isinstance(traces, PreparedWorkload) else prepare(self.layers, traces)
        if list(workload.layers) != self.layers:
            raise ValueError("the workload was prepared for other layers than this chip's")
        with single_threaded_blas():
            return self._evaluate(workload)

    def _evaluate(self, workload: PreparedWorkload) -> Report:
        p = self.ctx.p
        self.windows = self._windows(workload)
        period, clk_freq, tiles = self._tile_passes(workload)
        costs = [self._layer_cost(i, t, clk_freq) for i, t in enumerate(tiles)]
        if p.synchronous:
            # NeuroSim: cycles are converted with the sensing period even when the clock is capped
            costs = [c.scaled_latency(period) for c in costs]
        return self._report(costs, period)

    def _windows(self, workload: PreparedWorkload) -> list[int]:
        """Input vectors per image of every layer: the windows the network computed (its trace's), or NeuroSim's
        count, which ignores padding."""
        if self.ctx.p.quirk("windows_ignore_padding"):
            return [layer.num_windows for layer in self.layers]
        return [trace.num_windows_written for trace in workload.traces]

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
        chip, layer_reports = roll_up(costs, fp.num_tiles, fp.speedup, fp.utilization, totals, p.pipeline)
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
