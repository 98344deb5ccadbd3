"""Per-layer chip-level work: activation, tile accumulation, max pooling, global buffer and interconnect."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from neurocim.arch.aggregate import LayerCost
from neurocim.arch.chip_periphery import ChipArea, ChipPeriphery
from neurocim.arch.cost import Cost
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.max_pooling import POOLING_COUNTS
from neurocim.config.chip import ActivationPlace
from neurocim.mapping.floorplan import Floorplan
from neurocim.report.records import Breakdown
from neurocim.workload.network import Layer

Pair = tuple[float, float]  # (latency: cycles when synchronous, else s; energy J)


class ChipView(Protocol):
    """What the chip-level work of a layer reads of a chip (a ChipModel, or a view of one of its circuits)."""

    @property
    def ctx(self) -> CircuitContext: ...

    @property
    def fp(self) -> Floorplan: ...

    @property
    def area(self) -> ChipArea: ...  # its tile sides

    @property
    def layers(self) -> Sequence[Layer]: ...

    @property
    def windows(self) -> Sequence[int]: ...

    @property
    def periphery(self) -> ChipPeriphery: ...


@dataclass(frozen=True)
class ChipLayerWork:
    """What the chip's own units add to a layer (cycles when synchronous, else seconds; J)."""

    latency: float = 0.0
    energy: float = 0.0
    latency_accum: float = 0.0
    latency_other: float = 0.0
    energy_accum: float = 0.0
    energy_other: float = 0.0
    buffer_latency: float = 0.0
    buffer_energy: float = 0.0
    ic_latency: float = 0.0
    ic_energy: float = 0.0
    # synchronous data transfer: the layer's "other" latency is the global buffer's alone and the
    # interconnect latency is hidden in the buffer's (the tiles' values of both are replaced, not added to)
    replaces_tile_latency_parts: bool = False


def activation_cost(chip: ChipView, index: int, clk_freq: float) -> tuple[float, float]:
    per = chip.periphery
    layer = chip.layers[index]
    work = chip.windows[index] * layer.out_channels
    if per.relu is not None:
        reads = math.ceil(work / per.relu.num_unit)
        return per.relu.latency(reads, clk_freq), per.relu.energy(reads)
    if per.sigmoid is not None:
        reads = math.ceil(work / per.sigmoid.num_entry)
        return per.sigmoid.latency(reads, clk_freq), per.sigmoid.energy(reads)
    return 0.0, 0.0


def accumulation_cost(chip: ChipView, index: int, clk_freq: float) -> tuple[float, float]:
    p, per, fp = chip.ctx.p, chip.periphery, chip.fp
    tile_rows = fp.num_tiles_row[index]
    if tile_rows <= 1:
        return 0.0, 0.0
    layer = chip.layers[index]
    cols = layer.out_channels * p.cols_per_weight
    reads = math.ceil(cols // p.cols_per_weight * (chip.windows[index] / per.accumulation.num_adder_tree))
    if p.quirk("v21_global_accumulation_reads"):  # every tile column's outputs, windows per tree rounded up
        tree_reads = math.ceil(chip.windows[index] / per.accumulation.num_adder_tree)
        reads = fp.num_tiles_col[index] * layer.out_channels * tree_reads
    return per.accumulation.latency(reads, tile_rows, 0, clk_freq), per.accumulation.energy(reads, tile_rows)


def pooling_cost(chip: ChipView, index: int, clk_freq: float) -> tuple[float, float]:
    layer = chip.layers[index]
    if not layer.pooled:
        return 0.0, 0.0
    p, pool = chip.ctx.p, chip.periphery.max_pool
    if p.quirk(POOLING_COUNTS):  # V2.1: the windows alone, over a tile's (novel: a PE grid's) columns
        fp = chip.fp
        span = fp.pe_size_nm / math.sqrt(fp.num_pe_nm) if fp.is_novel[index] else fp.tile_size_cm
        reads = math.ceil(chip.windows[index] // pool.window / span)
        return pool.latency(1e20, 0, reads, clk_freq), pool.energy(reads)
    cols = layer.out_channels * p.cols_per_weight
    outputs = chip.windows[index] * cols // p.cols_per_weight
    reads = math.ceil(outputs / pool.window / pool.num_max_pooling)
    return pool.latency(1e20, 0, reads, clk_freq), pool.energy(reads)


def bits_moved(chip: ChipView, index: int) -> tuple[float, float]:
    """Bits loaded from the global buffer into the tiles and written back (NeuroSim numBitToLoadOut/In)."""
    p, layer = chip.ctx.p, chip.layers[index]
    rows = layer.rows
    cols = layer.out_channels * p.cols_per_weight
    nv = chip.windows[index]
    bits_out: float = rows * p.chip.precision.input_bits * nv
    if chip.fp.is_novel[index]:
        bits_out = bits_out / layer.kernel_h  # inputs reused across kernel rows
    bits_in = math.ceil(cols // p.cols_per_weight) * p.chip.precision.input_bits * nv / (4 if layer.pooled else 1)
    return float(bits_out), float(bits_in)


def _htree_transfers(chip: ChipView, bits_out: float, bits_in: float, lanes: int) -> int:
    """Transfers of `lanes` bits over the global H-tree to load a layer's inputs and write its outputs back: the loads
    and the write-backs apart, each rounded up; NeuroSim V2.1 (quirk v21_global_htree_one_transfer) rounds up their
    sum, as if a write-back could share a transfer with a load."""
    p = chip.ctx.p
    loads, stores = bits_out * p.input_toggle, bits_in * p.output_toggle
    if p.quirk("v21_global_htree_one_transfer"):
        return math.ceil((loads + stores) / lanes)
    return math.ceil(loads / lanes) + math.ceil(stores / lanes)


def interconnect_cost(chip: ChipView, index: int, bits_out: float, bits_in: float, clk_freq: float) -> Pair:
    p, fp, per, area = chip.ctx.p, chip.fp, chip.periphery, chip.area
    novel = fp.is_novel[index]
    unit_h = area.tile_height_nm if novel else area.tile_height_cm
    unit_w = area.tile_width_nm if novel else area.tile_width_cm
    total = fp.total_tiles
    if per.htree is not None:
        share = math.ceil(per.htree.bus_width * (fp.num_tiles[index] / total))
        latency = per.htree.latency(unit_h, unit_w, math.ceil((bits_out + bits_in) / share), clk_freq)
        return latency, per.htree.energy(unit_h, unit_w, share, _htree_transfers(chip, bits_out, bits_in, share))
    bus = per.xy_bus
    assert bus is not None  # without an H-tree the periphery has the XY bus
    grid_row = math.ceil(math.sqrt(total))
    grid_col = math.ceil(total / grid_row)
    x_end, y_init = math.ceil(grid_col / 2), math.ceil(grid_row / 2)
    reads_in = math.ceil(bits_out / bus.bus_width * grid_row / fp.num_tiles_row[index])
    reads_out = math.ceil(bits_in / bus.bus_width * grid_col / fp.num_tiles_col[index])
    latency = bus.latency(x_end, y_init, unit_h, unit_w, reads_in, reads_out, clk_freq)
    energy = bus.energy(x_end, y_init, unit_h, unit_w, bits_out * p.input_toggle, bits_in * p.output_toggle)
    return latency, energy


def _global_buffer(chip: ChipView, bits_out: float, bits_in: float, clk_freq: float) -> tuple[float, float]:
    per = chip.periphery
    buf = per.buffer
    w = buf.interface_width
    read_t, write_t = buf.latency(bits_out / w), buf.write_latency(bits_in / w)
    read_e, write_e = buf.energy(w, bits_out / w), buf.write_energy(w, bits_in / w)
    parallel = min(per.num_buffer_core, math.ceil(per.bus_width / w))
    return (read_t + write_t) / parallel, read_e + write_e


def global_buffer_traffic(chip: ChipView, index: int, clk_freq: float) -> tuple[float, float]:
    """(latency, energy J) of one layer's loads from and write-backs to the global buffer per image (asynchronous:
    seconds; synchronous: cycles), as `layer_traffic` charges them."""
    latency, energy = _global_buffer(chip, *bits_moved(chip, index), clk_freq)
    return latency * _buffer_time_share(chip, index), energy


def global_buffer_transfer(chip: ChipView, bits_out: float, bits_in: float) -> tuple[float, float]:
    """(latency, energy J) of reading `bits_out` from and writing `bits_in` to the global buffer over its parallel
    cores (asynchronous: seconds; synchronous: cycles)."""
    return _global_buffer(chip, bits_out, bits_in, 0.0)


def _buffer_time_share(chip: ChipView, index: int) -> int:
    """How many times a layer's global-buffer time counts: once, or (NeuroSim V2.1, quirk
    v21_global_buffer_time_per_tile_share) ceil(all tiles / the layer's tiles), as if the buffer's bandwidth were
    shared by every layer's tiles though one layer runs at a time."""
    fp = chip.fp
    if not chip.ctx.p.quirk("v21_global_buffer_time_per_tile_share"):
        return 1
    return math.ceil(fp.total_tiles / fp.num_tiles[index])


def _input_volume(chip: ChipView, index: int) -> float:
    """Inputs a layer reads per image as NeuroSim's synchronous transfer weighs them (its `fraction`): input
    channels x kernel width (x kernel height when conventionally mapped) x windows, evaluated in doubles."""
    layer = chip.layers[index]
    depth = layer.in_channels * layer.kernel_w if chip.fp.is_novel[index] else layer.rows
    return depth * (layer.ifm_h - layer.kernel_h + 1) / layer.stride * (layer.ifm_w - layer.kernel_w + 1) / layer.stride


def _total_input_volume(chip: ChipView, index: int) -> int:
    """NeuroSim's `totalInput` as seen from layer `index`: an int accumulated once per layer.

    NeuroSim quirk: every term is the *current* layer's volume (the loop indexes the layer being evaluated),
    so each layer is given 1/num_layers of the bus, up to the int truncation of the running sum.
    """
    total = 0
    volume = _input_volume(chip, index)
    for _ in chip.layers:
        total = int(total + volume)
    return total


def _sync_transfer(
    chip: ChipView, index: int, bits_out: float, bits_in: float, clk_freq: float
) -> tuple[float, float, float]:
    """(global buffer latency, buffer energy, H-tree energy) of a layer under synchronous data transfer.

    The layer drives its share `volume / total` of the global H-tree; the tree's delay is hidden in the
    buffer's, whose accesses each take max(1, tree cycles) and repeat once per layer sharing the bus.
    """
    p, per, area = chip.ctx.p, chip.periphery, chip.area
    tree, buf = per.htree, per.buffer
    assert tree is not None  # synchronous transfer: the periphery's layout built the H-tree
    unit_h = area.tile_height_nm or area.tile_height_cm  # the grid is made of novel-mapped tiles when there are any
    unit_w = area.tile_width_nm or area.tile_width_cm
    volume, total = _input_volume(chip, index), _total_input_volume(chip, index)
    share = tree.bus_width * (volume / total)
    lanes = max(1, math.floor(share))  # NeuroSim divides by zero below one lane
    reads = math.ceil(bits_out * p.input_toggle / lanes) + math.ceil(bits_in * p.output_toggle / lanes)
    tree_e = tree.energy(unit_h, unit_w, math.ceil(share), reads)
    per_access = max(tree.critical_latency(unit_h, unit_w, clk_freq), 1.0)
    w = buf.interface_width
    buf_t = (buf.latency(bits_out / w) + buf.write_latency(bits_in / w)) * per_access * math.ceil(total / volume)
    buf_e = buf.energy(w, bits_out / w) + buf.write_energy(w, bits_in / w)
    return buf_t, buf_e, tree_e


def _sync_layer_traffic(chip: ChipView, index: int, clk_freq: float) -> ChipLayerWork:
    """Chip-level work of one layer under synchronous data transfer (NeuroSim V1.4 "230920" mode).

    Activation, accumulation and pooling overlap the transfers: only their energy counts. The layer's
    latency gains the global buffer's alone, which also replaces the tiles' "other" and interconnect parts.
    """
    act_e = activation_cost(chip, index, clk_freq)[1]
    acc_e = accumulation_cost(chip, index, clk_freq)[1]
    pool_e = pooling_cost(chip, index, clk_freq)[1]
    bits_out, bits_in = bits_moved(chip, index)
    buf_t, buf_e, ic_e = _sync_transfer(chip, index, bits_out, bits_in, clk_freq)
    return ChipLayerWork(
        latency=buf_t,
        energy=act_e + acc_e + pool_e + buf_e + ic_e,
        latency_other=buf_t,
        energy_accum=acc_e,
        energy_other=act_e + pool_e + buf_e + ic_e,
        buffer_latency=buf_t,
        buffer_energy=buf_e,
        ic_energy=ic_e,
        replaces_tile_latency_parts=True,
    )


def layer_traffic(chip: ChipView, index: int, clk_freq: float) -> ChipLayerWork:
    """Chip-level units and data movement of one layer (NeuroSim ChipCalculatePerformance, main pass)."""
    p = chip.ctx.p
    if p.chip.interconnect.sync_data_transfer:
        return _sync_layer_traffic(chip, index, clk_freq)
    act = activation_cost(chip, index, clk_freq) if p.chip.activation.place is ActivationPlace.CHIP else (0.0, 0.0)
    acc = accumulation_cost(chip, index, clk_freq)
    pool = pooling_cost(chip, index, clk_freq)
    bits_out, bits_in = bits_moved(chip, index)
    ic = interconnect_cost(chip, index, bits_out, bits_in, clk_freq)
    buf_t, buf_e = _global_buffer(chip, bits_out, bits_in, clk_freq)
    buf_t *= _buffer_time_share(chip, index)
    return unit_work(act, acc, pool, (buf_t, buf_e), ic)


def unit_work(act: Pair, acc: Pair, pool: Pair, buf: Pair, ic: Pair) -> ChipLayerWork:
    """A layer's chip-level work (asynchronous transfer) from what activation, accumulation, pooling, the global
    buffer and the interconnect each take."""
    (act_t, act_e), (acc_t, acc_e), (pool_t, pool_e), (buf_t, buf_e), (ic_t, ic_e) = act, acc, pool, buf, ic
    return ChipLayerWork(
        latency=act_t + acc_t + pool_t + buf_t + ic_t,
        energy=act_e + acc_e + pool_e + buf_e + ic_e,
        latency_accum=acc_t,
        latency_other=act_t + pool_t + buf_t + ic_t,
        energy_accum=acc_e,
        energy_other=act_e + pool_e + buf_e + ic_e,
        buffer_latency=buf_t,
        buffer_energy=buf_e,
        ic_latency=ic_t,
        ic_energy=ic_e,
    )


def combine_layer_cost(t: Cost, extra: ChipLayerWork) -> LayerCost:
    """A layer's cost from its tiles' costs `t` (NeuroSim's per-tile maxima and sums) and the chip's own work."""
    if extra.replaces_tile_latency_parts:
        other_latency, ic_latency = extra.latency_other, extra.ic_latency
    else:
        other_latency, ic_latency = t.latency_other + extra.latency_other, t.ic_latency + extra.ic_latency
    lat = Breakdown(
        adc=t.latency_adc,
        accumulation=t.latency_accum + extra.latency_accum,
        other=other_latency,
        buffer=t.buffer_latency + extra.buffer_latency,
        interconnect=ic_latency,
    )
    energy = Breakdown(
        adc=t.energy_adc,
        accumulation=t.energy_accum + extra.energy_accum,
        other=t.energy_other + extra.energy_other,
        buffer=t.buffer_energy + extra.buffer_energy,
        interconnect=t.ic_energy + extra.ic_energy,
    )
    return LayerCost(
        latency=t.latency + extra.latency,
        energy=t.energy + extra.energy,
        latency_parts=lat,
        energy_parts=energy,
        tile_leakage=t.leakage,
        tile_leakage_in_use=t.leakage_sram_in_use,
    )
