"""Chip-level periphery: global buffer, global interconnect, accumulation, activation and max pooling."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from neurocim.arch.pe_common import subarray_output_bits
from neurocim.arch.tile import Tile
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.adder_tree import AdderTree
from neurocim.circuits.logic.bit_shifter import BitShifter
from neurocim.circuits.logic.max_pooling import POOLING_COUNTS, MaxPooling
from neurocim.circuits.logic.sigmoid import Sigmoid
from neurocim.circuits.memories.buffer import Buffer
from neurocim.circuits.wires.htree import HTree
from neurocim.circuits.wires.xy_bus import XYBus
from neurocim.config.chip import ActivationFunction, ActivationPlace, BufferType, BusType, CellType, MappingType
from neurocim.mapping.floorplan import Floorplan
from neurocim.workload.network import Layer


def _global_bus_width(layers: Sequence[Layer], fp: Floorplan, ctx: CircuitContext) -> float:
    p = ctx.p
    width = 0.0
    for i, _layer in enumerate(layers):
        lanes = fp.pe_size_nm * math.ceil(math.sqrt(fp.num_pe_nm)) if fp.is_novel[i] else fp.tile_size_cm
        term = lanes + lanes / p.cols_muxed
        width += term * fp.num_tiles[i] if p.chip.pipeline.enabled else term
    while width > p.chip.interconnect.max_global_bus_width:
        width /= 2
    return width


def _max_layer_input(layers: Sequence[Layer], pipeline: bool) -> float:
    if pipeline:
        return sum(layer.ifm_h * layer.ifm_w * layer.in_channels / 2 for layer in layers)
    return max(float(layer.ifm_h * layer.ifm_w * layer.in_channels) for layer in layers)


def sync_tile_grid(
    nm_array_area: float, cm_array_area: float, num_tile_nm: int, num_tile_cm: int
) -> tuple[int, int, int]:
    """(tiles, rows, columns) of the H-tree grid of the synchronous-transfer chip (NeuroSim V1.4 "230920").

    Every conventionally mapped tile counts as the number of novel-mapped tiles whose array area covers it;
    the count then grows until it factors as rows x columns with (rows - columns) / rows <= 0.2, choosing the
    factor pair of the smallest perimeter.
    """
    if nm_array_area <= 0:
        raise ValueError(f"sync_tile_grid: nm_array_area must be > 0 m^2, got {nm_array_area}")
    per_cm = max(1, math.ceil(cm_array_area / nm_array_area))
    while per_cm * nm_array_area < cm_array_area:  # guard the float rounding of the ceil
        per_cm += 1
    while per_cm > 1 and (per_cm - 1) * nm_array_area >= cm_array_area:
        per_cm -= 1
    total = int(per_cm * num_tile_cm + num_tile_nm)
    if total < 1:
        raise ValueError(f"sync_tile_grid: no tiles to place (num_tile_nm={num_tile_nm}, num_tile_cm={num_tile_cm})")
    rows, cols = 2 * total, 1
    while (rows - cols) / rows > 0.2:
        perimeter = 2.0 * total
        for m in range(1, total // 2 + 1):
            if total % m == 0 and m + total / m < perimeter:
                perimeter, rows, cols = m + total / m, total // m, m
        if (rows - cols) / rows > 0.2:
            total += 1
    return total, rows, cols


@dataclass
class ChipArea:
    area: float
    interconnect: float
    adc: float
    accumulation: float
    other: float
    array: float
    tile_height_cm: float
    tile_width_cm: float
    tile_height_nm: float
    tile_width_nm: float


class ChipPeriphery:
    """The chip's own circuits, sized from the floorplan (NeuroSim ChipInitialize)."""

    def __init__(
        self, ctx: CircuitContext, layers: Sequence[Layer], fp: Floorplan, clk_freq: float, extra_buffer_bits: int = 0
    ) -> None:
        """`extra_buffer_bits`: what the global buffer holds beside the layers' inputs (a training chip's weight
        gradients)."""
        p = ctx.p
        self.ctx = ctx
        self.fp = fp
        self.num_layers = len(layers)
        self.bus_width = _global_bus_width(layers, fp, ctx)
        factor = 2 if p.chip.interconnect.sync_data_transfer else 1
        buffer_bits = int(p.chip.precision.input_bits * _max_layer_input(layers, p.chip.pipeline.enabled) * factor)
        buffer_bits += extra_buffer_bits
        core_bits = p.chip.buffers.global_core_rows * p.chip.buffers.global_core_cols
        self.num_buffer_core = math.ceil(buffer_bits / core_bits)
        interface = int(self.bus_width) if p.chip.interconnect.sync_data_transfer else p.chip.buffers.global_core_cols
        self.buffer = Buffer(
            ctx,
            core_bits,
            interface,
            1,
            p.wires.unit_resistance,
            clk_freq,
            p.chip.buffers.global_type is BufferType.SRAM,
        )
        pool_units = max(fp.tile_size_cm / p.cols_muxed, fp.pe_size_nm / p.cols_muxed)
        if p.quirk(POOLING_COUNTS):  # V2.1: one unit per column of a conventional tile
            pool_units = fp.tile_size_cm
        # at least one unit: NeuroSim truncates to none when an ADC serves more columns than a tile's PE has
        self.max_pool = MaxPooling(ctx, p.chip.precision.input_bits, 4, max(int(pool_units), 1))
        self.htree: HTree | None = None
        self.xy_bus: XYBus | None = None
        self.sync_tiles = 0  # equivalent novel-mapped tiles of the synchronous-transfer grid (set by layout)
        if p.chip.interconnect.global_bus is not BusType.HTREE:
            self.xy_bus = XYBus(
                ctx, fp.num_tile_row, fp.num_tile_col, p.chip.interconnect.global_delay_tolerance, self.bus_width
            )
        elif (
            not p.chip.interconnect.sync_data_transfer
        ):  # the synchronous-transfer tree spans a grid built from tile areas in layout
            self.htree = HTree(
                ctx, fp.num_tile_row, fp.num_tile_col, p.chip.interconnect.global_delay_tolerance, self.bus_width
            )
        self._init_accumulation_and_activation(fp, clk_freq)

    def _init_accumulation_and_activation(self, fp: Floorplan, clk_freq: float) -> None:
        p = self.ctx.p
        max_tile_rows = int(max(fp.num_tiles_row))
        stages = self.num_layers + 1 if p.chip.pipeline.enabled else 1
        if p.chip.mapping is MappingType.NOVEL:
            novel_tile = math.ceil(fp.pe_size_nm)
            if p.quirk("v21_chip_throughput_pe_grid"):  # V2.1: a novel tile's PE grid side times the PE size
                novel_tile *= math.ceil(math.sqrt(fp.num_pe_nm))
            throughput = int(max(fp.tile_size_cm, novel_tile)) * stages
            adds = int(max(math.ceil(fp.pe_size_cm / p.chip.array.rows), math.ceil(fp.pe_size_nm / p.chip.array.rows)))
            adds *= int(max(math.ceil(fp.tile_size_cm / fp.pe_size_cm), math.ceil(math.sqrt(fp.num_pe_nm))))
            adds *= stages
        else:
            throughput = int(fp.tile_size_cm)
            adds = int(math.ceil(fp.pe_size_cm / p.chip.array.rows))
            adds *= int(math.ceil(fp.tile_size_cm / fp.pe_size_cm))
            adds *= stages
        num_trees = math.ceil(throughput / p.cols_muxed)
        self.relu: BitShifter | None = None
        self.sigmoid: Sigmoid | None = None
        if p.chip.activation.place is not ActivationPlace.CHIP:
            self.accumulation = AdderTree(self.ctx, max_tile_rows, p.chip.precision.input_bits, num_trees)
            return
        out_bits = subarray_output_bits(self.ctx.p)
        self.accumulation = AdderTree(self.ctx, max_tile_rows, out_bits + math.ceil(math.log2(adds)), num_trees)
        if p.chip.activation.function is ActivationFunction.RELU:
            self.relu = BitShifter(self.ctx, num_trees, p.chip.precision.input_bits)
        else:
            y_bits = out_bits + math.ceil(math.log2(adds)) + math.ceil(math.log2(max_tile_rows))
            self.sigmoid = Sigmoid(
                self.ctx,
                p.chip.activation.sigmoid_lut is CellType.SRAM,
                p.chip.precision.input_bits,
                y_bits,
                num_trees,
                clk_freq,
                own_cell=True,
            )

    def _build_sync_htree(self, tile_nm: Tile | None, tile_cm: Tile) -> Tile:
        """The H-tree over the synchronous-transfer grid; returns the tile kind the grid is made of.

        Without a novel-mapped tile (no layer mapped that way) the grid is made of conventional tiles.
        """
        p, fp = self.ctx.p, self.fp
        unit = tile_nm if tile_nm is not None else tile_cm
        num_unit, num_other = (fp.num_tile_nm, fp.num_tile_cm) if tile_nm is not None else (fp.num_tile_cm, 0)
        self.sync_tiles, rows, cols = sync_tile_grid(
            unit.area_parts.array, tile_cm.area_parts.array, num_unit, num_other
        )
        self.htree = HTree(self.ctx, rows, cols, p.chip.interconnect.global_delay_tolerance, self.bus_width)
        return unit

    def layout(self, tile_nm: Tile | None, tile_cm: Tile) -> ChipArea:
        """Chip area and its breakdown (NeuroSim ChipCalculateArea).

        With synchronous data transfer the total area and the array area count the grid's equivalent
        novel-mapped tiles (conventional tiles are folded into them); the other parts count tiles as placed.
        """
        p, fp = self.ctx.p, self.fp
        area = ic = adc = accum = other = array = 0.0
        h_nm = w_nm = 0.0
        if tile_nm is not None:
            t = tile_nm.area_parts
            n = fp.num_tile_nm
            area += t.area * n
            ic, adc, accum, other, array = t.ic * n, t.adc * n, t.accumulation * n, t.other * n, t.array * n
            h_nm, w_nm = tile_nm.height, tile_nm.width
        t = tile_cm.area_parts
        n = fp.num_tile_cm
        area += t.area * n
        ic += t.ic * n
        adc += t.adc * n
        accum += t.accumulation * n
        other += t.other * n
        array += t.array * n
        h_cm, w_cm = tile_cm.height, tile_cm.width
        if p.chip.interconnect.sync_data_transfer:
            unit = self._build_sync_htree(tile_nm, tile_cm).area_parts
            area, array = unit.area * self.sync_tiles, unit.array * self.sync_tiles
        unit_h, unit_w = max(h_nm, h_cm), max(w_nm, w_cm)
        buffer_height = fp.num_tile_row * unit_h
        self.buffer.layout(buffer_height, 0.0, Layout.NONE)
        buffer_area = self.buffer.area * self.num_buffer_core
        buffer_width = buffer_area / buffer_height
        bus = self.htree if self.htree is not None else self.xy_bus
        assert bus is not None  # __init__ builds the XY bus or the H-tree; synchronous transfer builds it just above
        bus.layout(unit_h, unit_w, p.chip.interconnect.tree_folded_ratio)
        area += bus.area
        ic += bus.area
        self.max_pool.layout(new_width=buffer_width, mode=Layout.NONE)
        self.accumulation.layout(new_width=buffer_height / 3, mode=Layout.NONE)
        activation = 0.0
        if self.relu is not None:
            activation = self.relu.layout(new_width=buffer_width / 3).area
        elif self.sigmoid is not None:
            activation = self.sigmoid.layout(new_width=buffer_width / 3).area
        area += activation + buffer_area + self.max_pool.area + self.accumulation.area
        return ChipArea(
            area=area,
            interconnect=ic,
            adc=adc,
            accumulation=accum + self.accumulation.area,
            other=other + buffer_area + self.max_pool.area + activation,
            array=array,
            tile_height_cm=h_cm,
            tile_width_cm=w_cm,
            tile_height_nm=h_nm,
            tile_width_nm=w_nm,
        )
