"""The activation-gradient pass: transposed sub-array reads composed through the chip's PEs, tiles and chip."""

# Interface (what the epoch composer calls):
#
# * `ActivationGradientPass(chip, training)`: `chip` the forward `ChipModel` (built with the prepared workload, or
#   evaluated on it, so its windows are the workload's), `training` = `ChipConfig.training`.
# * `.layer_costs(workload) -> list[GradientCost]`: per layer and image, `peak` (compute only: the transposed sub-
#   array reads, the PE adder trees, the tile and chip accumulation) and `total` (the peak plus the PE buffers and
#   buses, the tile buffers and H-tree, the global buffer twice (errors staged in and out) and the global interconnect
#   once), in seconds and joules by part (ADC, accumulation, other with buffer and interconnect); no DRAM traffic.
#   Zero for the first layer (no error to pass on).
# * `.area -> ChipBackpropArea`: the area the read-out adds to every sub-array of the chip, by part.
# * `.tile_leakage_w(index)`: the leakage the read-out adds to one tile of layer `index` (W).
#
# The errors take the activations' path backwards through the same units: the adder trees, accumulation, buffers and
# interconnect are the forward chip's circuits at the forward counts (NeuroSim V2.1 composes its "AG" pass so), only
# the sub-array reads are the transposed read-out's. These are taken from the block statistics of the forward read
# pass where its ADC asks for the same statistic (kept in the workload's cache: the traces are not read again).

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from neurocim.arch.chip import ChipModel
from neurocim.arch.chip_traffic import layer_traffic
from neurocim.arch.cost import Cost, Part
from neurocim.arch.pe import ProcessingElement
from neurocim.arch.pe_common import _LATENCIES, Block
from neurocim.arch.subarray.block_stats import distinct_vectors, iter_vector_stats
from neurocim.arch.subarray.envm_read import memoised_with
from neurocim.arch.tile import Tile, _visit_arrays
from neurocim.arch.tile_work import TileWork, tile_side
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.mapping.blocks import copy_sub_input
from neurocim.mapping.tile_visits import Gathering, PeVisit, TilePlan
from neurocim.training_cost.backprop import ERROR_ACTIVITY, BackpropArea, TransposedReadout, _row_resistance
from neurocim.training_cost.quirks import (
    ADC_BREAKDOWN_WITH_FORWARD,
    AG_FORWARD_COLUMNS,
    AG_SWITCH_FORWARD_ACTIVITY,
    has_quirk,
)
from neurocim.workload.prepared import PreparedWorkload


@dataclass(frozen=True)
class GradientCost:
    """A layer's activation gradient per image: compute only (`peak`) and with the data movement (`total`).
    `adc_with_forward`: the ADC latency part holds the forward read's conversions too (quirk
    v21_breakdown_adc_slowest_both_reads), the total latency the gradient's alone."""

    peak: Cost
    total: Cost
    adc_with_forward: bool = False


@dataclass(frozen=True)
class ChipBackpropArea:
    """The transposed read-out's area over the chip's `num_subarrays` sub-arrays (m^2), by part."""

    per_subarray: BackpropArea
    num_subarrays: int

    @property
    def adc_m2(self) -> float:
        return self.per_subarray.adc_m2 * self.num_subarrays

    @property
    def accumulation_m2(self) -> float:
        return self.per_subarray.accumulation_m2 * self.num_subarrays

    @property
    def other_m2(self) -> float:
        return self.per_subarray.other_m2 * self.num_subarrays

    @property
    def total_m2(self) -> float:
        return self.per_subarray.total_m2 * self.num_subarrays


def _subarrays_per_tile(tile: Tile) -> int:
    pe = tile.pe
    pes = tile.num_pe if tile.novel else tile.num_pe**2
    return int(pes) * pe.num_subarray_row * pe.num_subarray_col


class ActivationGradientPass(TileWork):
    """The activation-gradient pass of a chip. Its tiles are its own (the forward chip's circuits, with their
    evaluation state apart), so evaluating it never changes the forward pass."""

    def __init__(self, chip: ChipModel, training: TrainingHardwareConfig) -> None:
        super().__init__(chip.ctx, chip.layers, dtype=chip.dtype, grow=chip.grow)
        self.chip = chip
        self.readout = TransposedReadout(chip.ctx, training)
        self.error_bits = training.backprop.error_bits
        self.forward_columns = has_quirk(chip.ctx.p, AG_FORWARD_COLUMNS)
        self.adc_with_forward = has_quirk(chip.ctx.p, ADC_BREAKDOWN_WITH_FORWARD)
        self.second = 1.0  # the tiles' unit of latency in seconds (the clock period when the chip is synchronous)

    @property
    def area(self) -> ChipBackpropArea:
        fp, count = self.chip.fp, 0
        if self.chip.tile_nm is not None:
            count += fp.num_tile_nm * _subarrays_per_tile(self.chip.tile_nm)
        count += fp.num_tile_cm * _subarrays_per_tile(self.chip.tile_cm)
        return ChipBackpropArea(self.readout.area, int(count))

    def tile_leakage_w(self, index: int) -> float:
        """The read-out's leakage in one tile of layer `index` (W): every sub-array the tile's PEs walk."""
        tile = self.chip.tile_nm if self.chip.fp.is_novel[index] else self.chip.tile_cm
        assert tile is not None  # a novel-mapped layer has novel tiles
        pes = tile.num_pe if tile.novel else tile.num_pe**2
        return self.readout.leakage_w * tile.pe.grid[0] * tile.pe.grid[1] * pes

    def layer_costs(self, workload: PreparedWorkload) -> list[GradientCost]:
        """Per layer and image, the activation gradient's peak and total cost (s, J)."""
        side = tile_side(self.ctx, self.layers, workload, self.dtype, self.chip.grow)
        if list(side.windows) != list(self.chip.windows):
            raise ValueError("the chip was not built with (or evaluated on) this workload: its windows differ")
        self.windows = list(side.windows)
        p = self.ctx.p
        self.second = side.period if p.chip.clock.synchronous and side.period > 0 else 1.0
        for tile in (self.tile_nm, self.tile_cm):
            if tile is not None:
                tile.reset_state()
        arrays = self._layer_arrays(workload)
        return [self._layer(i, m, x, side.clk_freq) for i, (m, x) in enumerate(arrays)]

    # ---- the chip, a tile, a PE ------------------------------------------------------------------------------
    def _layer(self, index: int, memory: np.ndarray, inputs: np.ndarray, clk_freq: float) -> GradientCost:
        if index == 0:
            return GradientCost(Cost(), Cost())  # the first layer's ADC breakdown is its forward read's alone
        fp, nv = self.fp, self.windows[index] * self.ctx.p.chip.precision.input_bits
        su_row, su_col = fp.speedup_row[index], fp.speedup_col[index]
        found = [
            self._tile(tile, block, block_in, Block(nr, nc, nv, su_row, su_col), clk_freq)
            for tile, block, block_in, nr, nc in self._tile_blocks(index, memory, inputs)
        ]
        peak = Cost.parallel(f.peak for f in found)
        total = Cost.parallel(f.total for f in found)
        chip = layer_traffic(self.chip, index, clk_freq)  # the chip's accumulation, global buffer and interconnect
        peak = peak.plus(Part.ACCUMULATION, chip.latency_accum, chip.energy_accum)
        total = total.plus(Part.ACCUMULATION, chip.latency_accum, chip.energy_accum)
        total = total.plus(Part.BUFFER, 2 * chip.buffer_latency, 2 * chip.buffer_energy)
        total = total.plus(Part.INTERCONNECT, chip.ic_latency, chip.ic_energy)
        peak, total = (c.latency_divided(1.0 / self.second) for c in (peak, total))
        return GradientCost(peak, total, self.adc_with_forward)

    def _tile(self, tile: Tile, weights: np.ndarray, inputs: np.ndarray, block: Block, clk: float) -> GradientCost:
        """The tile pass of the forward chip (Tile.evaluate) with the PEs' transposed reads; no activation."""
        nv = block.num_vectors
        plan = tile._plan(block.dup_row, block.dup_col, block.rows, block.cols)
        adc = self._tile_adc_energy(tile, weights, inputs, plan, nv)
        gathered: list[GradientCost] = []
        for k, visit in enumerate(plan.visits):
            if visit is None:
                continue
            if k == 0 or visit != plan.visits[k - 1]:
                work = Block(visit.rows, visit.cols, nv, visit.dup_row, visit.dup_col)
                last = self._pe(tile.pe, *_visit_arrays(weights, inputs, visit, nv), work, clk, adc is None)
            gathered.append(last)
        costs = []
        for acc in (Cost.parallel(g.peak for g in gathered), Cost.parallel(g.total for g in gathered)):
            acc = tile.gather(acc, plan.gathering, block, clk)
            if plan.gathering is Gathering.NOVEL:
                speed_up = block.dup_row * block.dup_col
                acc = tile._accumulate(acc.latency_divided(speed_up), int(tile.num_pe), nv, clk, False, False)
            costs.append(acc.plus(Part.ADC, 0.0, adc or 0.0))
        peak, total = costs
        bits_out = max(block.rows * nv / math.sqrt(tile.num_pe) if tile.novel else block.rows * nv, 0)
        _, bits_in = tile.periphery.activation(Cost(), tile.accumulation, block.cols, nv, clk)
        in_pass = tile.periphery.buffer_pass(True, bits_out, tile.htree.bus_width)
        return GradientCost(peak, tile.plus_transfers(total, in_pass, bits_out, bits_in, clk))

    def _tile_adc_energy(self, tile: Tile, weights, inputs, plan: TilePlan, nv: int) -> float | None:
        """The resistance-dependent ADC energy (J) of every PE result the tile gathers: from the rows' resistances, or
        (AG_FORWARD_COLUMNS) from the column statistics the forward pass collected of the same bit-vectors when its
        ADC asks for the read-out's statistic; None where neither gives it (the PEs then read element-wise)."""
        converter, reader = self.readout.converter, tile.pe.reader
        if converter is None:
            return 0.0
        if not self.forward_columns:
            n = nv // self.ctx.p.chip.precision.input_bits * self.error_bits
            rows = self._row_resistances(tile, weights, inputs, plan)
            energies = {v: float(converter.static_energy(r[None, :]).sum(dtype=np.float64)) for v, r in rows.items()}
            gathered = [v for v in plan.visits if v is not None]
            conversions = n * sum(len(rows[v]) for v in gathered)
            return n * sum(energies[v] for v in gathered) + converter.column_switching_energy * conversions
        if self.readout.timing is not None or reader.read_key() is None:
            return None  # V2.1's law times and charges every read: the PEs read element-wise
        if reader._read_statistic != converter.read_statistic():
            return None
        stats = tile._read_stats(weights, inputs, plan, nv)  # kept in the workload's cache by the forward pass
        summed = None if stats is None else converter.summed_static_energy(stats)
        if stats is None or summed is None:
            return None
        return summed + converter.column_switching_energy * stats.conversions

    def _row_resistances(self, tile: Tile, weights, inputs, plan: TilePlan) -> dict[PeVisit, np.ndarray]:
        """Per PE result, the resistances (ohm) every row's ADC sees in its sub-array blocks, one block after the
        other; kept with weights and inputs a workload cache owns, for every configuration that shares them."""
        reader, p = tile.pe.reader, self.ctx.p

        def compute() -> dict[PeVisit, np.ndarray]:
            found: dict[PeVisit, np.ndarray] = {}
            for visit in plan.visits:
                if visit is None or visit in found:
                    continue
                w = _visit_arrays(weights, inputs, visit, 0)[0]
                strips, _ = reader.read_layout(visit.rows, visit.cols, visit.dup_row, visit.dup_col)
                rows = [
                    _row_resistance(w[r : r + n, c : c + width], reader.column_model, self.readout)
                    for r, n, col_blocks in strips
                    for c, width in col_blocks
                ]
                found[visit] = np.concatenate(rows) if rows else np.zeros(0)
            return found

        sizes = (reader.grid, p.chip.array.rows, p.chip.array.cols, self.readout.geo.res_cell_access)
        return memoised_with(weights, inputs, ("ag_rows", plan.visits, sizes, reader._model_key), compute)

    def _pe(self, pe: ProcessingElement, weights, inputs, block: Block, clk: float, with_adc: bool) -> GradientCost:
        """The PE pass (ProcessingElement.evaluate) with its sub-array blocks read transposed; without `with_adc`
        the resistance-dependent ADC energy is left to the caller."""
        strips, col_period = pe.reader.read_layout(block.rows, block.cols, block.dup_row, block.dup_col)
        blocks = sum(len(col_blocks) for _, _, col_blocks in strips)
        acc = self._reads(pe, weights, inputs, strips, col_period, block.num_vectors, blocks, with_adc, clk)
        dup = block.dup_row * block.dup_col
        if col_period is not None and (dup == 1 or blocks):  # more than one sub-array: the adder tree
            t, e = pe._adder_tree_cost(block.num_vectors, block.rows, clk, False)
            acc = acc.plus(Part.ACCUMULATION, t, e * blocks if dup > 1 else e)
        acc = acc.latency_divided(dup)
        return GradientCost(acc, pe._finish(acc, block.rows, block.cols, block.num_vectors, clk))

    # ---- the sub-array reads --------------------------------------------------------------------------------
    def _reads(
        self,
        pe,
        weights,
        inputs,
        strips: Sequence,
        col_period: int | None,
        nv: int,
        blocks: int,
        with_adc: bool,
        clk: float,
    ) -> Cost:
        """`blocks` sub-arrays reading their errors side by side: one's latency (in the tiles' unit), all energies;
        under quirk v21_breakdown_adc_slowest_both_reads, the ADC latency part is the slowest block's conversions of
        both reads, forward and transposed."""
        if not blocks:
            return Cost()
        n = nv if self.forward_columns else nv // self.ctx.p.chip.precision.input_bits * self.error_bits
        activity = self._switch_activity(pe, weights, inputs, strips, nv)
        times: np.ndarray | None = None  # each block's conversion times (s), where V2.1's law times them
        if with_adc and self.readout.timing is not None:  # V2.1's law: each block's reads timed by its resistances
            timed = self._timed_blocks(pe, weights, inputs, strips, col_period, nv)
            times = np.array([t for t, _ in timed], dtype=np.float64)
            one = self.readout.read_cost(n, conversion_time_s=float(times.max()), switch_activity=activity)
            adc = sum(e for _, e in timed)
        else:
            one = self.readout.read_cost(n, switch_activity=activity)
            adc = self._adc_energy(pe, weights, inputs, strips, col_period, nv) if with_adc else 0.0
        acc = Cost()
        for part, latency, energy in (
            (Part.ADC, one.latency_adc, one.energy_adc * blocks + adc),
            (Part.ACCUMULATION, one.latency_accum, one.energy_accum * blocks),
            (Part.OTHER, one.latency_other, one.energy_other * blocks),
        ):
            acc = acc.plus(part, latency / self.second, energy)
        if not self.adc_with_forward:
            return acc
        # the conversion times only: the read without its ADC energy (a parallel eNVM read's is the cheap path)
        forward = self._forward_reader(pe).block_sums(weights, inputs, strips, nv, clk, col_period, False)
        column = _LATENCIES.index("latency_adc")
        mine = self.readout.adc_latency_s(n, times) / self.second
        return replace(acc, latency_adc=float((forward[:, column] + mine).max()))

    def _forward_reader(self, pe: ProcessingElement):
        """The forward chip's reader of the PE's kind, which keeps the block sums of its read pass (this pass's PEs
        are its own)."""
        nm, cm = self.chip.tile_nm, self.chip.tile_cm
        found = nm if nm is not None and self.tile_nm is not None and pe is self.tile_nm.pe else cm
        return found.pe.reader

    def _switch_activity(self, pe, weights, inputs, strips: Sequence, nv: int) -> float:
        """The row activity an SRAM read-out's word-line switches are charged at: the errors' (one half), or under
        V2.1 (quirk AG_SWITCH_FORWARD_ACTIVITY) that of the forward bit-vectors, its mean over the blocks (the
        switch energy is affine in it)."""
        if not self.readout.sram or not has_quirk(self.ctx.p, AG_SWITCH_FORWARD_ACTIVITY):
            return ERROR_ACTIVITY
        model, summed, blocks = pe.reader.column_model, 0.0, 0
        for row, num_row, col_blocks in strips:
            block_rows = len(weights[row : row + num_row])
            vectors, rows_read = distinct_vectors(copy_sub_input(inputs, row, nv, num_row), block_rows).read_totals
            if vectors > 0:
                summed += len(col_blocks) * rows_read / model.activity_rows(block_rows) / vectors
            blocks += len(col_blocks)
        return summed / blocks if blocks else ERROR_ACTIVITY

    def _block_stats(self, pe, weights, inputs, strips: Sequence, col_period: int | None, nv: int):
        """Per sub-array block, the chunks of its forward bit-vectors' statistics. A block of SRAM cells (whose reads
        see the cells' shape only) is read at the width it is laid out with, as the forward read does: a block that
        reaches past its tile's columns (NeuroSim's shares of a novel-mapped layer's columns, quirk
        novel_rows_position_major) converts every column it lays out."""
        model = pe.reader.column_model
        for row, num_row, col_blocks in strips:
            x = copy_sub_input(inputs, row, nv, num_row)
            for c, width in col_blocks:
                w = weights[row : row + num_row, c : c + width]
                if model.weight_independent:
                    w = np.broadcast_to(np.zeros(1, dtype=np.uint8), (w.shape[0], width))
                yield iter_vector_stats(w, x, model, col_period=col_period, dtype=self.dtype)

    def _timed_blocks(self, pe, weights, inputs, strips, col_period, nv: int) -> list[tuple[float, float]]:
        """Per sub-array block, its read-outs of the forward bit-vectors under V2.1's law: conversion time summed (s)
        and ADC energy (J)."""
        found = []
        for chunks in self._block_stats(pe, weights, inputs, strips, col_period, nv):
            t = e = 0.0
            for s in chunks:
                dt, de = self.readout.timed_reads(s.column_resistance, s.counts)
                t, e = t + dt, e + de
            found.append((t, e))
        return found

    def _adc_energy(self, pe, weights, inputs, strips, col_period, nv: int) -> float:
        """The resistance-dependent ADC energy (J) of the blocks' read-outs of the forward bit-vectors, element-wise."""
        converter = self.readout.converter
        if converter is None:
            return 0.0
        static = conversions = 0.0
        for chunks in self._block_stats(pe, weights, inputs, strips, col_period, nv):
            for s in chunks:
                r = s.column_resistance
                static += float(converter.static_energy(r).sum(axis=1, dtype=np.float64) @ s.counts)
                conversions += float(s.counts.sum()) * r.shape[1]
        return static + converter.column_switching_energy * conversions
