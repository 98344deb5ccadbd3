"""The tile side of a chip: floorplan, tiles and their passes over a workload, everything below the chip periphery."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import cast

import numpy as np

from neurocim.arch.cost import Cost
from neurocim.arch.pe_common import Block
from neurocim.arch.subarray.column_model import linear_weight_steps
from neurocim.arch.tile import Tile
from neurocim.arch.tile_sets import SubArrayGrowth, TileUnits, build_tiles
from neurocim.circuits.context import CircuitContext
from neurocim.config.derived import Derived
from neurocim.mapping.blocks import copy_array, copy_input, reshape_array, reshape_input
from neurocim.mapping.cells import levels_to_cells, levels_to_quotient_cells
from neurocim.mapping.floorplan import Floorplan, FloorplanInputs, plan_floor
from neurocim.mapping.layer_mapping import LayerMapping
from neurocim.workload.cache import WorkloadCache, derived_owned, position_key
from neurocim.workload.network import Layer
from neurocim.workload.prepared import PreparedWorkload
from neurocim.workload.recorded import ReadRecorder, ValueKey
from neurocim.workload.trace_csv import csv_weight_levels
from neurocim.workload.traces import LayerTrace, weight_to_levels

WEIGHT_DIGITS_QUOTIENT = "v21_weight_digits_quotient"

KeptEvaluations = Mapping[tuple, dict[tuple, tuple]]  # a unit's construction key -> its memoised evaluations


@dataclass(frozen=True)
class TileSide:
    """A chip's floorplan and tiles, and what its tiles cost on a workload."""

    fp: Floorplan
    tile_nm: Tile | None  # the novel-mapping tile, when there is one
    tile_cm: Tile
    windows: tuple[int, ...]  # input vectors per image of every layer
    period: float  # the clock pass's longest sensing latency (s); 0 when asynchronous
    clk_freq: float
    tile_costs: tuple[Cost, ...]  # per layer: its tiles side by side
    units: TileUnits | None = None  # the kept tiles (tile_nm, tile_cm), when they came from a workload's cache


def tile_side(
    ctx: CircuitContext,
    layers: Sequence[Layer],
    workload: PreparedWorkload,
    dtype: type[np.floating] = np.float32,
    grow: SubArrayGrowth | None = None,
) -> TileSide:
    """The TileSide of the chip `ctx` describes (its sub-arrays laid out again by `grow`, when given), kept in the
    workload's cache under the values of the settings it read: chips that differ only in what the tiles never read
    (global bus, global buffer ...) share it. Below it, the tiles' and the PEs' evaluations are kept under the
    settings each reads (the tiles' with their PEs'): chips that differ only in what the floorplan reads (speed-up,
    pipeline ...) share the tiles' evaluations of the blocks they have in common, and chips that differ only in what
    the tile periphery reads (tile buffers ...) share the PEs'. The tiles themselves (TileUnits) are kept under every
    setting they read and the floorplan sizes and clock they were built for, and serve every chip that agrees there;
    the returned side's tiles read this chip's settings."""
    cache, built_with = workload.cache, (ctx.tech, ctx.cell, np.dtype(dtype).str, grow)
    extra = ValueKey(built_with)  # hashed once for every lookup below

    def compute(params: ReadRecorder, kept_units: bool = True) -> TileSide:
        tile_names, tile_kept = cache.tile_evaluations.find(ctx.p, extra) or ((), {})
        pe_names, pe_kept = cache.pe_evaluations.find(ctx.p, extra) or ((), {})
        built: list[tuple[tuple, tuple[str, ...] | None, TileUnits]] = []  # (key, fields it was kept under, units)

        def tiles(fp: Floorplan, clk_freq: float) -> tuple[Tile | None, Tile]:
            key = (*built_with, fp.num_pe_cm, fp.pe_size_cm, fp.num_pe_nm, fp.pe_size_nm, clk_freq)
            found = cache.tile_units.find(ctx.p, key) if kept_units else None
            if found is not None and found[1].rebind(ctx.p):
                built.append((key, found[0], found[1]))
            else:
                built.append((key, None, TileUnits(ctx, fp, clk_freq, dtype, grow)))
            return built[0][2].tile_nm, built[0][2].tile_cm

        work = TileWork(_recording_context(ctx, params), layers, dtype=dtype, grow=grow, tiles=tiles,
                        kept=(tile_kept, pe_kept), plan=partial(_planned, cache, tuple(layers)))  # fmt: skip
        side = replace(work.run(workload), units=built[0][2])
        # kept evaluations read the fields they were kept under; a tile's evaluations read its PE's fields too
        (key, kept_names, units), *_ = built
        pe_read = set(pe_names) | units.pe_params.names
        tile_read = set(tile_names) | units.tile_params.names | pe_read
        cache.pe_evaluations.put(ctx.p, tuple(sorted(pe_read)), extra, work.evaluations(pe=True))
        cache.tile_evaluations.put(ctx.p, tuple(sorted(tile_read)), extra, work.evaluations(pe=False))
        if units.names != kept_names:  # new tiles, or kept ones that read more fields since: kept under all of them
            if kept_names is not None:
                cache.tile_units.discard(ctx.p, kept_names, key)
            cache.tile_units.put(ctx.p, units.names, key, units)
        params.names.update(tile_read)  # the tile side's costs depend on the tiles' and PEs' settings too
        return side

    side = cache.tile_sides.get(ctx.p, extra, compute)
    if side.units is not None and not side.units.rebind(ctx.p):
        # its tiles have read a field since on which this chip differs: a tile side with tiles of its own
        return compute(ReadRecorder(ctx.p), kept_units=False)
    return side


def _planned(cache: WorkloadCache, layers: tuple[Layer, ...], inputs: FloorplanInputs) -> Floorplan:
    """plan_floor(layers, inputs), kept in the workload's cache (a floorplan is a value: frozen)."""
    return cache.floorplans.get((layers, inputs), lambda: plan_floor(layers, inputs))


def _combine(results: Sequence[Cost]) -> Cost:
    """Tiles of one layer run in parallel: latency is the slowest tile, energy the sum; leakage is the last tile's."""
    last = results[-1] if results else Cost()
    return Cost.parallel(results).updated(leakage=last.leakage, leakage_sram_in_use=last.leakage_sram_in_use)


def cell_digit_key(p: Derived) -> tuple:
    """The settings weights are mapped to cell digits with (the key `_cell_digits` takes)."""
    return (
        p.chip.precision.weight_bits,
        p.chip.precision.weight_min,
        p.chip.precision.weight_max,
        p.cell_bits,
        p.cols_per_weight,
        p.quirk("weights_rounded_as_csv"),
        p.quirk("top_weight_level_wraps"),
        p.quirk(WEIGHT_DIGITS_QUOTIENT) and p.cols_per_weight > 1,  # one cell a weight: V2.1 maps it linearly
        linear_weight_steps(p) is not None,
    )


def _cell_digits(trace: LayerTrace, key: tuple, shape_only: bool) -> np.ndarray:
    """Cell digits (rows x columns) of a trace's weights for key = (weight_bits, weight_min, weight_max, cell_bits,
    cells per synapse, weights rounded as NeuroSim's CSV files, top level wraps, V2.1's quotient digits, V2.1's
    linear one-cell levels). With
    `shape_only` (cells whose reads ignore the stored values: SRAM) a zero placeholder of their shape that takes no
    memory."""
    weight_bits, w_min, w_max, cell_bits, cps, csv_rounded, top_wraps, quotient, linear = key
    if shape_only:
        return np.broadcast_to(np.zeros(1, dtype=np.int8), (trace.rows, trace.weights.shape[1] * cps))

    def cell_digits(w: np.ndarray) -> np.ndarray:  # (n,) weights -> (n, cells per synapse) digits
        # NeuroSim reads the weights back from the CSV files its wrapper prints (quirk); else their exact levels
        to_levels = csv_weight_levels if csv_rounded else weight_to_levels
        levels = to_levels(w, weight_bits, w_min, w_max)
        if linear:  # NeuroSim V2.1 reads a one-cell weight's level 0..2^bits itself (linear_weight_steps)
            return levels[:, None].astype(np.int16)
        if quotient:  # NeuroSim V2.1 splits the whole level 0..2^bits by running quotients
            return levels_to_quotient_cells(levels[:, None], cell_bits, cps)
        if not top_wraps:  # levels run 0..2^bits; the top one has no digits of its own
            levels = np.minimum(levels, (1 << weight_bits) - 1)
        return levels_to_cells(levels[:, None], cell_bits, cps)

    return trace.map_weights(cell_digits).reshape(trace.rows, -1)


def _copied(reshape, source: np.ndarray, *args: int) -> np.ndarray:
    """reshape(source, *args), a copy, kept in the workload cache with an owned source for the next configuration.
    A zero placeholder (all strides 0) gives a placeholder of the block's shape."""

    def compute() -> np.ndarray:
        if source.ndim == 2 and source.strides == (0, 0) and reshape is reshape_array:
            row, col, num_row, num_col, *layout = args
            rows = reshape(source[:, :1], row, 0, num_row, 1, *layout).shape[0]
            return np.broadcast_to(source[:1, :1], (rows, len(range(source.shape[1])[col : col + num_col])))
        return reshape(source, *args)

    return derived_owned(source, (reshape.__name__, args), compute)


class TileWork:
    """Floorplan and tiles of a chip, and their passes over a workload (NeuroSim's clock pass and main pass)."""

    def __init__(
        self,
        ctx: CircuitContext,
        layers: Sequence[Layer],
        *,
        dtype: type[np.floating] = np.float32,
        grow: SubArrayGrowth | None = None,
        tiles: Callable[[Floorplan, float], tuple[Tile | None, Tile]] | None = None,
        kept: tuple[KeptEvaluations, KeptEvaluations] = ({}, {}),
        plan: Callable[[FloorplanInputs], Floorplan] | None = None,
    ) -> None:
        """`dtype` is the precision of the trace-dependent read pass: float32 (default) agrees with float64 to
        about 1e-6 relative, well inside the chip-level tolerances, and is several times faster. `grow` lays the
        sub-arrays out again before the tiles are built over them (a training chip's transposed read-out). `tiles` gives
        the (novel, conventional) tiles for the floorplan and clock (default: build_tiles over `ctx`); `kept` the
        tiles' and the PEs' evaluations of a chip whose tiles (PEs) read the same settings, by construction key
        (`evaluations()`); `plan` floorplans the layers (default: plan_floor)."""
        self.ctx, self.dtype, self.layers = ctx, dtype, list(layers)
        self.fp: Floorplan = (plan or partial(plan_floor, self.layers))(FloorplanInputs.from_params(ctx.p))
        freq = ctx.p.chip.clock.max_frequency_hz
        if tiles is None:
            tiles = partial(build_tiles, ctx, dtype=dtype, grow=grow)
        self.tile_nm, self.tile_cm = tiles(self.fp, freq)
        self._kept = kept
        self.windows: list[int] = [layer.num_windows for layer in self.layers]
        fp = self.fp
        self.mappings = [
            LayerMapping.from_params(ctx.p, layer, novel, fp.pe_size_nm if novel else fp.pe_size_cm)
            for layer, novel in zip(self.layers, fp.is_novel, strict=True)
        ]

    def run(self, workload: PreparedWorkload) -> TileSide:
        """The tiles' costs on `workload`."""
        self.windows = self._windows(workload)
        period, clk_freq, costs = self._tile_passes(workload)
        return TileSide(self.fp, self.tile_nm, self.tile_cm, tuple(self.windows), period, clk_freq, tuple(costs))

    def evaluations(self, pe: bool) -> KeptEvaluations:
        """The PEs' (else the tiles') memoised evaluations so far, by construction key (a copy), with those it was
        given for units of other construction keys (another clock, PE grid ...)."""
        units = [t.pe if pe else t for t in (self.tile_nm, self.tile_cm) if t is not None]
        return {**self._kept[pe], **{u.construction_key(): u.evaluations() for u in units}}

    def _tile_blocks(self, index: int, memory: np.ndarray, inputs: np.ndarray):
        """Yield (tile, weight block, input block, rows, cols) for every tile a layer occupies."""
        fp, mapping = self.fp, self.mappings[index]
        nv = self.windows[index] * self.ctx.p.chip.precision.input_bits
        if not mapping.novel:
            for b in mapping.conventional_tiles(fp.tile_size_cm):
                block = copy_array(memory, b.row, b.col, b.rows, b.cols)
                yield self.tile_cm, block, copy_input(inputs, b.row, nv, b.rows), b.rows, b.cols
            return
        position_major = self.ctx.p.quirk("novel_rows_position_major")
        for band in mapping.novel_bands(fp.pe_size_nm, fp.num_pe_nm, position_major):
            # one copy of the row band's weights and inputs; the tiles' blocks are views of it (one owner lets the
            # read pass take the strips of a row band together)
            shape = (band.rows_per_pe, band.pes, band.stride, band.positions)
            block_in = _copied(reshape_input, inputs, band.row, nv, *shape)
            cells = _copied(reshape_array, memory, band.row, 0, band.rows_per_pe, mapping.cols, *shape[1:])
            for col, taken, nr, nc in band.tiles:
                yield self.tile_nm, cells[:, col : col + taken], block_in, nr, nc

    def _run_tiles(self, index: int, memory: np.ndarray, inputs: np.ndarray, clk_freq: float, clock_pass: bool) -> Cost:
        """A layer's tiles side by side: one memoised evaluation of the layer's tile (every layer takes one kind),
        keyed by what fixes its blocks (the arrays' value keys, the mapping, the tile and PE sizes, the bit-vectors
        and the speed-up), the clock, the pass and the leakage state it starts from."""
        fp, p, mapping = self.fp, self.ctx.p, self.mappings[index]
        nv = self.windows[index] * p.chip.precision.input_bits
        su_row, su_col = fp.speedup_row[index], fp.speedup_col[index]
        tile = self.tile_nm if mapping.novel and self.tile_nm is not None else self.tile_cm
        found = position_key(memory)
        if found is None:
            return self._layer_cost(index, memory, inputs, nv, clk_freq, clock_pass)
        novel_sizes = (fp.pe_size_nm, fp.num_pe_nm, p.quirk("novel_rows_position_major"))
        sizes = novel_sizes if mapping.novel else fp.tile_size_cm
        key = ("layer", found[1], mapping, sizes, nv, su_row, su_col, clk_freq, clock_pass)
        compute = partial(self._layer_cost, index, memory, inputs, nv, clk_freq, clock_pass)
        return tile.memoised(inputs, key, compute, clock_pass)

    def _layer_cost(
        self, index: int, memory: np.ndarray, inputs: np.ndarray, nv: int, clk_freq: float, clock_pass: bool
    ) -> Cost:
        su_row, su_col = self.fp.speedup_row[index], self.fp.speedup_col[index]
        results = [
            tile.evaluate(block, block_in, Block(nr, nc, nv, su_row, su_col), clk_freq, clock_pass)
            for tile, block, block_in, nr, nc in self._tile_blocks(index, memory, inputs)
        ]
        return _combine(results)

    def _layer_arrays(self, workload: PreparedWorkload) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per layer: cell digits (rows x columns) and input bit planes of the windows NeuroSim reads, owned by the
        workload's cache (read-only)."""
        p, cache = self.ctx.p, workload.cache
        key = cell_digit_key(p)
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
        init_freq = self.ctx.p.chip.clock.max_frequency_hz
        periods = [self._run_tiles(i, m, x, init_freq, True).clk_period for i, (m, x) in enumerate(arrays)]
        return max(periods)

    def _tile_passes(self, workload: PreparedWorkload) -> tuple[float, float, list[Cost]]:
        """(clock period, clock, per-layer tile costs): the clock pass and the tile part of the main pass."""
        p = self.ctx.p
        arrays = self._layer_arrays(workload)
        tiles = [t for t in (self.tile_nm, self.tile_cm) if t is not None]
        for tile in tiles:  # every pass starts from the tiles' initial state
            tile.reset_state()
            tile.seed(self._kept[0].get(tile.construction_key(), {}))
            tile.pe.seed(self._kept[1].get(tile.pe.construction_key(), {}))
        period, clk_freq = 0.0, p.chip.clock.max_frequency_hz
        if p.chip.clock.synchronous:
            period = self.clock_period(arrays)
            clk_freq = min(clk_freq, 1.0 / period)
        return period, clk_freq, [self._run_tiles(i, m, x, clk_freq, False) for i, (m, x) in enumerate(arrays)]

    def _windows(self, workload: PreparedWorkload) -> list[int]:
        """Input vectors per image of every layer: the windows the network computed (its trace's), or NeuroSim's
        count, which ignores padding."""
        if self.ctx.p.quirk("windows_ignore_padding"):
            return [layer.num_windows for layer in self.layers]
        return [trace.num_windows_written for trace in workload.traces]


def _recording_context(ctx: CircuitContext, recorder: ReadRecorder) -> CircuitContext:
    """`ctx` whose settings are read through `recorder` (it stands in for the Derived record it wraps)."""
    return CircuitContext(ctx.tech, cast(Derived, recorder), ctx.cell)
