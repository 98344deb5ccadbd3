"""Chip-level periphery: global buffer, global interconnect, accumulation, activation and max pooling."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

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
    """The chip's own circuits, sized from the floorplan (NeuroSim ChipInitialize). Each is built when first used, so
    a periphery read through a settings recorder notes only what the circuits it is asked for read."""

    def __init__(self, ctx: CircuitContext, layers: Sequence[Layer], fp: Floorplan, extra_buffer_bits: int = 0) -> None:
        """`extra_buffer_bits`: what the global buffer holds beside the layers' inputs (a training chip's weight
        gradients)."""
        self.ctx, self.layers, self.fp = ctx, layers, fp
        self.extra_buffer_bits = extra_buffer_bits
        self.num_layers = len(layers)
        self.sync_tiles = 0  # equivalent novel-mapped tiles of the synchronous-transfer grid (set by layout)

    @cached_property
    def clk_freq(self) -> float:
        """The clock every circuit is built for (the chip's maximum: NeuroSim's initial one), read where a circuit
        needs it: circuits that do not (the accumulation, the bus) do not depend on it."""
        return self.ctx.p.chip.clock.max_frequency_hz

    @cached_property
    def bus_width(self) -> float:
        return _global_bus_width(self.layers, self.fp, self.ctx)

    @cached_property
    def num_buffer_core(self) -> int:
        p = self.ctx.p
        factor = 2 if p.chip.interconnect.sync_data_transfer else 1
        buffer_bits = int(p.chip.precision.input_bits * _max_layer_input(self.layers, p.chip.pipeline.enabled) * factor)
        buffer_bits += self.extra_buffer_bits
        return math.ceil(buffer_bits / (p.chip.buffers.global_core_rows * p.chip.buffers.global_core_cols))

    @cached_property
    def buffer(self) -> Buffer:
        p = self.ctx.p
        core_bits = p.chip.buffers.global_core_rows * p.chip.buffers.global_core_cols
        interface = int(self.bus_width) if p.chip.interconnect.sync_data_transfer else p.chip.buffers.global_core_cols
        sram = p.chip.buffers.global_type is BufferType.SRAM
        return Buffer(self.ctx, core_bits, interface, 1, p.wires.unit_resistance, self.clk_freq, sram)

    @cached_property
    def max_pool(self) -> MaxPooling:
        p, fp = self.ctx.p, self.fp
        pool_units = max(fp.tile_size_cm / p.cols_muxed, fp.pe_size_nm / p.cols_muxed)
        if p.quirk(POOLING_COUNTS):  # V2.1: one unit per column of a conventional tile
            pool_units = fp.tile_size_cm
        # at least one unit: NeuroSim truncates to none when an ADC serves more columns than a tile's PE has
        return MaxPooling(self.ctx, p.chip.precision.input_bits, 4, max(int(pool_units), 1))

    @cached_property
    def xy_bus(self) -> XYBus | None:
        p, fp = self.ctx.p, self.fp
        if p.chip.interconnect.global_bus is BusType.HTREE:
            return None
        tolerance = p.chip.interconnect.global_delay_tolerance
        return XYBus(self.ctx, fp.num_tile_row, fp.num_tile_col, tolerance, self.bus_width)

    @cached_property
    def htree(self) -> HTree | None:
        """The H-tree over the tiles (the synchronous-transfer tree spans a grid built from tile areas in layout)."""
        p, fp = self.ctx.p, self.fp
        if p.chip.interconnect.global_bus is not BusType.HTREE or p.chip.interconnect.sync_data_transfer:
            return None
        tolerance = p.chip.interconnect.global_delay_tolerance
        return HTree(self.ctx, fp.num_tile_row, fp.num_tile_col, tolerance, self.bus_width)

    @property
    def accumulation(self) -> AdderTree:
        return self._accumulation_and_activation[0]

    @property
    def relu(self) -> BitShifter | None:
        return self._accumulation_and_activation[1]

    @property
    def sigmoid(self) -> Sigmoid | None:
        return self._accumulation_and_activation[2]

    @cached_property
    def _accumulation_and_activation(self) -> tuple[AdderTree, BitShifter | None, Sigmoid | None]:
        p, fp = self.ctx.p, self.fp
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
        if p.chip.activation.place is not ActivationPlace.CHIP:
            return AdderTree(self.ctx, max_tile_rows, p.chip.precision.input_bits, num_trees), None, None
        out_bits = subarray_output_bits(self.ctx.p)
        accumulation = AdderTree(self.ctx, max_tile_rows, out_bits + math.ceil(math.log2(adds)), num_trees)
        if p.chip.activation.function is ActivationFunction.RELU:
            return accumulation, BitShifter(self.ctx, num_trees, p.chip.precision.input_bits), None
        y_bits = out_bits + math.ceil(math.log2(adds)) + math.ceil(math.log2(max_tile_rows))
        sigmoid = Sigmoid(
            self.ctx,
            p.chip.activation.sigmoid_lut is CellType.SRAM,
            p.chip.precision.input_bits,
            y_bits,
            num_trees,
            self.clk_freq,
            own_cell=True,
        )
        return accumulation, None, sigmoid

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
        tiles = placed_tiles(self.fp, tile_nm, tile_cm)
        if self.ctx.p.chip.interconnect.sync_data_transfer:
            unit = self._build_sync_htree(tile_nm, tile_cm).area_parts
            tiles = (unit.area * self.sync_tiles, *tiles[1:5], unit.array * self.sync_tiles)
        sides = tile_sides(tile_nm, tile_cm)
        return compose_area(tiles, sides, self.lay_out(*unit_sides(sides), self.fp.num_tile_row))

    def lay_out(self, unit_h: float, unit_w: float, num_tile_row: int) -> UnitAreas:
        """Lay the circuits out beside a grid of `num_tile_row` rows of tiles `unit_h` x `unit_w` (m)."""
        buffer_height = num_tile_row * unit_h
        self.buffer.layout(buffer_height, 0.0, Layout.NONE)
        buffer_area = self.buffer.area * self.num_buffer_core
        buffer_width = buffer_area / buffer_height
        bus = self.htree if self.htree is not None else self.xy_bus
        assert bus is not None  # an XY bus or an H-tree; synchronous transfer builds its tree in layout
        bus.layout(unit_h, unit_w, self.ctx.p.chip.interconnect.tree_folded_ratio)
        self.max_pool.layout(new_width=buffer_width, mode=Layout.NONE)
        self.accumulation.layout(new_width=buffer_height / 3, mode=Layout.NONE)
        activation = 0.0
        if self.relu is not None:
            activation = self.relu.layout(new_width=buffer_width / 3).area
        elif self.sigmoid is not None:
            activation = self.sigmoid.layout(new_width=buffer_width / 3).area
        return UnitAreas(bus.area, buffer_area, self.max_pool.area, self.accumulation.area, activation)


@dataclass(frozen=True)
class UnitAreas:
    """Areas (m^2) of the chip's own circuits as laid out beside the tiles."""

    bus: float
    buffer: float  # every core of the global buffer
    max_pool: float
    accumulation: float
    activation: float


TileSides = tuple[float, float, float, float]  # (height, width) of a conventional and of a novel-mapped tile, m


def tile_sides(tile_nm: Tile | None, tile_cm: Tile) -> TileSides:
    """(conventional tile height, width, novel-mapped tile height, width), m (0 without a novel-mapped tile)."""
    h_nm, w_nm = (tile_nm.height, tile_nm.width) if tile_nm is not None else (0.0, 0.0)
    return tile_cm.height, tile_cm.width, h_nm, w_nm


def unit_sides(sides: TileSides) -> tuple[float, float]:
    """(height, width) of the grid's unit: the larger tile kind's, m."""
    h_cm, w_cm, h_nm, w_nm = sides
    return max(h_nm, h_cm), max(w_nm, w_cm)


def placed_tiles(fp: Floorplan, tile_nm: Tile | None, tile_cm: Tile) -> tuple[float, ...]:
    """(area, interconnect, ADC, accumulation, other, array) of the tiles as placed, m^2."""
    area = ic = adc = accum = other = array = 0.0
    if tile_nm is not None:
        t = tile_nm.area_parts
        n = fp.num_tile_nm
        area += t.area * n
        ic, adc, accum, other, array = t.ic * n, t.adc * n, t.accumulation * n, t.other * n, t.array * n
    t = tile_cm.area_parts
    n = fp.num_tile_cm
    area += t.area * n
    ic += t.ic * n
    adc += t.adc * n
    accum += t.accumulation * n
    other += t.other * n
    array += t.array * n
    return area, ic, adc, accum, other, array


def compose_area(tiles: Sequence[float], sides: TileSides, units: UnitAreas) -> ChipArea:
    """The chip's area and its breakdown: the tiles' (`placed_tiles`) and the chip's own circuits'."""
    area, ic, adc, accum, other, array = tiles
    area += units.bus
    ic += units.bus
    area += units.activation + units.buffer + units.max_pool + units.accumulation
    h_cm, w_cm, h_nm, w_nm = sides
    return ChipArea(
        area=area,
        interconnect=ic,
        adc=adc,
        accumulation=accum + units.accumulation,
        other=other + units.buffer + units.max_pool + units.activation,
        array=array,
        tile_height_cm=h_cm,
        tile_width_cm=w_cm,
        tile_height_nm=h_nm,
        tile_width_nm=w_nm,
    )
