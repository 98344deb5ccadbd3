"""Weight update: one update's write pulses per sub-array, their latency and energy, and the delta-weight transfer."""

# `WeightUpdate(chip, training).layer(index, new_weights, old_weights)` gives a `LayerUpdate` for one update (one
# iteration): the sub-arrays are written one after another (`serial_latency_s`, divided later by the arrays the
# gradient buffer lets write in parallel, `write_parallelism`), with the cells' and lines' energy.

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from neurocim.arch.chip import ChipModel
from neurocim.arch.subarray.subarray import SubArray
from neurocim.arch.subarray.subarray_sequential import SequentialArray
from neurocim.arch.tile import Tile
from neurocim.circuits.gates.gates import horowitz
from neurocim.config.chip import AccessType, CellType
from neurocim.config.derived import Derived
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.mapping.cells import cells_to_conductance, levels_to_cells, levels_to_quotient_cells
from neurocim.training_cost.backprop import ERROR_ACTIVITY, transposed_read_parallel
from neurocim.training_cost.quirks import (
    COLUMN_SWITCH_PULSES_UNSET,
    SRAM_WRITE_ACTIVITY_UNSET,
    UPDATE_HTREE_BUFFER_LINES,
    WRITE_ACTIVITY_BLOCK,
    WRITE_ROWS_FULL_ARRAY,
    WRITE_SCAN_REGISTER_SRAM,
    WRITE_SCAN_REGISTERS,
    WRITE_VOLTAGE_RSS,
    has_quirk,
)
from neurocim.training_cost.wg_array import SramWires, sram_rows_write_latency
from neurocim.training_cost.write_blocks import WriteBlockPlace, write_blocks
from neurocim.training_cost.write_pulses import CellWrite, RowWrites, block_writes, cell_pulses
from neurocim.workload.network import Layer
from neurocim.workload.traces import weight_to_levels

_BIG_RAMP = 1e20


@dataclass(frozen=True)
class Transfer:
    """The delta weights of one update moved into a layer's tiles, through each tile's input buffer and H-tree:
    latencies (cycles when the chip is synchronous) summed over the tiles and of the slowest tile, energies (J)."""

    buffer_latency: float = 0.0
    tree_latency: float = 0.0
    buffer_energy_j: float = 0.0
    tree_energy_j: float = 0.0
    slowest_buffer_latency: float = 0.0
    slowest_tree_latency: float = 0.0

    @property
    def latency(self) -> float:
        return self.buffer_latency + self.tree_latency

    @property
    def energy_j(self) -> float:
        return self.buffer_energy_j + self.tree_energy_j


@dataclass(frozen=True)
class LayerUpdate:
    """One update of one layer: sub-array writes (peak) and the delta weights moved into the tiles."""

    serial_latency_s: float  # every sub-array written one after another
    peak_energy_j: float  # the sub-arrays' writes
    energy_j: float  # the writes as the full update counts them (novel-mapping tiles: times the speed-up)
    transfer: Transfer  # delta weights through the tile buffers and H-trees
    pulses: int  # write pulses over every sub-array (one copy of duplicated arrays)


@dataclass(frozen=True)
class WriteTerms:
    """One update of one layer as a function of the pulse width w: latency = fixed + pulses x w, energies = fixed +
    power x w (what depends on the traces and the chip, kept for any pulse width, batch or DRAM)."""

    serial_fixed_s: float
    serial_pulses: float
    peak_fixed_j: float
    peak_per_s_w: float
    total_fixed_j: float
    total_per_s_w: float
    transfer: Transfer
    pulses: int

    def at(self, pulse_width_s: float) -> LayerUpdate:
        """The update with pulses of `pulse_width_s`."""
        w = pulse_width_s
        return LayerUpdate(
            self.serial_fixed_s + self.serial_pulses * w,
            self.peak_fixed_j + self.peak_per_s_w * w,
            self.total_fixed_j + self.total_per_s_w * w,
            self.transfer,
            self.pulses,
        )


def linear_training_mapping(p: Derived) -> bool:
    """NeuroSim V2.1 maps weights linearly onto one analog cell when the cell holds the whole weight."""
    return p.chip.cell.type is not CellType.SRAM and p.cell_bits == p.chip.precision.weight_bits


def update_conductances(weights: np.ndarray, p: Derived) -> np.ndarray:
    """Cell conductances (rows x columns*cells per synapse) of algorithm weights, as the update writes them."""
    w = np.asarray(weights, dtype=np.float64)
    g_max, g_min = 1.0 / p.chip.cell.r_on_ohm, 1.0 / p.chip.cell.r_off_ohm
    if linear_training_mapping(p):
        span = p.chip.precision.weight_max - p.chip.precision.weight_min
        return (w - p.chip.precision.weight_min) / span * (g_max - g_min) + g_min
    levels = weight_to_levels(w, p.chip.precision.weight_bits, p.chip.precision.weight_min, p.chip.precision.weight_max)
    if p.quirk("v21_weight_digits_quotient"):
        return _quotient_digits(levels, p, g_max, g_min)
    levels = np.minimum(levels, (1 << p.chip.precision.weight_bits) - 1)
    cells = levels_to_cells(levels.reshape(levels.shape[0], -1), p.cell_bits, p.cols_per_weight)
    return cells_to_conductance(cells, p.cell_bits, g_max, g_min)


def _quotient_digits(levels: np.ndarray, p: Derived, g_max: float, g_min: float) -> np.ndarray:
    """NeuroSim V2.1's integer path (`levels_to_quotient_cells`): conductances can exceed G_max."""
    cells = levels_to_quotient_cells(levels.reshape(levels.shape[0], -1), p.cell_bits, p.cols_per_weight)
    return cells_to_conductance(cells, p.cell_bits, g_max, g_min)


def write_voltage(p: Derived) -> float:
    """The voltage (V) an update writes cells at: the cell's write voltage, or under WRITE_VOLTAGE_RSS NeuroSim V2.1's
    root sum square of its (equal) set and reset voltages."""
    v = p.chip.cell.write_voltage_v
    return math.hypot(v, v) if has_quirk(p, WRITE_VOLTAGE_RSS) else v


def cell_write(p: Derived, training: TrainingHardwareConfig, feature_size_m: float) -> CellWrite:
    """The per-pulse view of the chip's cell under the configured write pulses."""
    levels = max(training.write.levels_ltp, training.write.levels_ltd)
    g_max, g_min = 1.0 / p.chip.cell.r_on_ohm, 1.0 / p.chip.cell.r_off_ohm
    fefet = p.chip.cell.type is CellType.FEFET
    return CellWrite(
        delta_g_min_s=(g_max - g_min) / levels,
        num_levels=levels,
        write_voltage_v=write_voltage(p),
        binary=p.chip.cell.type is CellType.SRAM,
        fefet_polarization_c_per_m2=training.write.fefet_polarization_c_per_m2 if fefet else None,
        fefet_cell_area_m2=2 * feature_size_m * feature_size_m,
    )


def inference_buffer_bits(p: Derived, layers: Sequence[Layer]) -> float:
    """Bits of the global buffer sized for inference: the largest layer input (pipeline: half of all inputs) at the
    input precision."""
    sizes = [x.ifm_h * x.ifm_w * x.in_channels for x in layers]
    held = sum(sizes) / 2 if p.chip.pipeline.enabled else max(sizes)
    return float(p.chip.precision.input_bits * held)


def write_parallelism(
    p: Derived, training: TrainingHardwareConfig, inference_buffer_bits: float, gradient_bits: int
) -> int:
    """Sub-arrays written at once: the gradient buffer holds `gradient_bits` (+ log2 batch) per cell of one array per
    weight bit, doubled while it stays under `buffer_overhead_limit` x the inference buffer (NeuroSim V2.1)."""
    return gradient_buffer(p, training, inference_buffer_bits, gradient_bits)[1]


def gradient_buffer(
    p: Derived, training: TrainingHardwareConfig, inference_buffer_bits: float, gradient_bits: int
) -> tuple[int, int]:
    """(bits the global buffer grows by to hold weight gradients, sub-arrays written at once): see
    `write_parallelism`."""
    cells = p.chip.array.rows * p.chip.array.cols
    if p.quirk("v21_gradient_buffer_before_unit"):
        gradient_bits = 0
    overhead = cells * p.cols_per_weight * (gradient_bits + math.ceil(math.log2(training.batch_size)))
    parallel = max(overhead // (cells * p.chip.precision.weight_bits), 1)
    limit = inference_buffer_bits * (training.weight_gradient.buffer_overhead_limit + 1)
    while overhead > 0 and inference_buffer_bits + overhead < limit:  # (a 0-bit buffer cannot grow)
        overhead, parallel = overhead * 2, parallel * 2
    return int(overhead), int(parallel)


@dataclass(frozen=True)
class BlockWrites:
    """One sub-array block's writes and where the block sits (its arrays are not kept)."""

    writes: RowWrites
    block: WriteBlockPlace


class WeightUpdate:
    """The write cost of a chip's weight updates (NeuroSim V2.1 GetWriteUpdateEstimation and the sub-array's write
    path), per layer and update."""

    def __init__(self, chip: ChipModel, training: TrainingHardwareConfig) -> None:
        self.chip, self.p, self.training = chip, chip.ctx.p, training
        self.subarray: SubArray = chip.tile_cm.pe.subarray
        self.cell = cell_write(self.p, training, chip.ctx.tech.feature_size)
        self.pulse_width_s = training.write.pulse_width_s
        self.gate_cap_fefet_f = training.write.fefet_gate_cap_f

    def layer(self, index: int, new_weights: np.ndarray, old_weights: np.ndarray) -> LayerUpdate:
        """One update of layer `index` from its weights before (`old_weights`) to after (`new_weights`)."""
        return self.layer_from_writes(index, self.block_writes(index, new_weights, old_weights))

    def block_writes(self, index: int, new_weights: np.ndarray, old_weights: np.ndarray) -> tuple[BlockWrites, ...]:
        """The writes of every sub-array block of layer `index` (what depends on the traces: pulses, cells set and
        reset, the cells' own energy); they stay valid for any pulse width, batch or DRAM."""
        p, chip = self.p, self.chip
        g_new, g_old = update_conductances(new_weights, p), update_conductances(old_weights, p)
        cells = cell_pulses(g_new, g_old, self.cell)
        tiles = (chip.tile_nm, chip.tile_cm)
        blocks = write_blocks(p, chip.fp, tiles, index, chip.layers[index], cells.signed, cells.energy)
        return tuple(BlockWrites(block_writes(b.new, b.old, cells.fefet), b) for b in blocks)

    def layer_from_writes(self, index: int, writes: tuple[BlockWrites, ...]) -> LayerUpdate:
        """One update of layer `index` from its blocks' writes, with this update's pulse width."""
        return self.layer_terms(index, writes).at(self.pulse_width_s)

    def layer_terms(self, index: int, writes: tuple[BlockWrites, ...]) -> WriteTerms:
        """One update of layer `index` as a function of the pulse width (what a sweep over pulse widths keeps)."""
        acc = np.zeros(6)  # serial fixed, serial pulses, peak fixed, peak per s, total fixed, total per s
        pulses = 0
        tiles: dict[int, int] = {}
        for w in writes:
            b = w.block
            t0, n, e0, e1 = self.subarray_terms(w.writes, first_layer=index == 0)
            total = b.energy_copies * b.tile_energy_scale
            acc += (t0 * b.latency_copies, n * b.latency_copies, e0 * b.energy_copies, e1 * b.energy_copies,
                    e0 * total, e1 * total)  # fmt: skip
            pulses += w.writes.total_pulses
            tiles[b.tile] = b.tile_cells
        move = self._transfer(index, tuple(tiles.values()))
        t_fixed, n_pulses, e_peak, p_peak, e_total, p_total = (float(x) for x in acc)
        return WriteTerms(t_fixed, n_pulses, e_peak, p_peak, e_total, p_total, move, pulses)

    # ---------------------------------------------------------------------------------------- one sub-array
    def subarray_terms(self, w: RowWrites, first_layer: bool = False) -> tuple[float, int, float, float]:
        """One sub-array's write as (fixed latency s, pulses, fixed energy J, energy per second of pulse W);
        `first_layer`: the sub-array has no transposed read-out step (NeuroSim V2.1 skips the first layer's)."""
        t_lines, e_lines = self._drivers(w)
        fixed, per_s = self._line_energy(w)
        e_lines += self._scan_registers(w, first_layer)
        pulses = 0 if self.cell.binary else w.total_pulses  # an SRAM cell flips in the drivers' time, no pulse
        return t_lines, pulses, w.cell_switch_energy_j + fixed + e_lines, w.cell_pulse_power_w + per_s

    def _scan_registers(self, w: RowWrites, first_layer: bool) -> float:
        """Under WRITE_SCAN_REGISTERS, the read scan registers of an eNVM sub-array's switch matrices clocked as
        NeuroSim V2.1 books them on every update (J): the row register's for the forward read's column-mux steps (a
        1T1R array's only when it writes), the column register's for the transposed read-out's steps."""
        if self.cell.binary or not has_quirk(self.p, WRITE_SCAN_REGISTERS):  # SRAM: WRITE_SCAN_REGISTER_SRAM
            return 0.0
        mode, p = self.subarray.mode, self.p
        one_t = getattr(mode, "wl_new_switch", None)
        row = one_t or getattr(mode, "wl_switch", None)
        col = getattr(mode, "sl_switch", None)
        if col is None or (row is None and not isinstance(mode, SequentialArray)):
            return 0.0
        e = 0.0
        if row is not None and (one_t is None or self._num_writes(w) > 0):  # a sequential array decodes its rows
            e += row.dff.energy(p.cols_muxed, row.num_output, False)
        if not first_layer:
            bp = self.training.backprop
            steps: float = bp.rows_per_adc
            if not transposed_read_parallel(p, bp):
                steps *= p.chip.array.cols * ERROR_ACTIVITY
            e += col.dff.energy(steps, col.num_output, False)
        return float(e)

    def _scan_time(self) -> float:
        """Under WRITE_SCAN_REGISTERS, the row scan register's clocking for the forward read's column-mux steps that
        NeuroSim V2.1 adds to a sub-array's write time (s): half a clock period per step."""
        if not has_quirk(self.p, WRITE_SCAN_REGISTERS):
            return 0.0
        return self.p.cols_muxed / (2 * self.subarray.clk_freq)

    def _num_writes(self, w: RowWrites) -> float:
        """Line-driver write operations: two steps (set, reset) per written row (under WRITE_ROWS_FULL_ARRAY the
        array's rows times the block's row activity)."""
        ops_per_row = math.ceil(w.cols * w.activity_col / w.cols) if w.cols else 0
        rows = self.p.chip.array.rows if has_quirk(self.p, WRITE_ROWS_FULL_ARRAY) else w.rows
        return 2.0 * ops_per_row * rows * w.activity_row

    def _drivers(self, w: RowWrites) -> tuple[float, float]:
        """(latency, energy) of the row and column switch matrices selecting the written rows and columns."""
        sa, p = self.subarray, self.p
        mode = sa.mode
        n = self._num_writes(w)
        if self.cell.binary or n == 0:
            return self._sram_drivers(w)
        if isinstance(mode, SequentialArray) and mode.wl_new_driver is not None and mode.sl_switch is not None:
            return self._decoded_rows(mode, w, n)
        row = getattr(mode, "wl_new_switch", None) or getattr(mode, "wl_switch", None)
        col = getattr(mode, "sl_switch", None)
        if row is None or col is None:
            return 0.0, 0.0
        one_t = p.chip.cell.access is AccessType.CMOS
        row_load = (sa.cap_row2 if one_t else sa.cap_row1), sa.res_row
        t_row = self._tg_write_latency(row, *row_load, n) + self._scan_time()
        t_col = self._tg_write_latency(col, sa.cap_col, sa.res_col, n)
        return max(t_row, t_col), self._switch_energy(row, col, w, n, one_t)

    def _decoded_rows(self, mode: SequentialArray, w: RowWrites, num_write: float) -> tuple[float, float]:
        """(latency, energy) of a sequential 1T1R array's write selection: its row decoder and WL driver pass the write
        voltage to the written row, the source-line switch matrix its columns."""
        sa, driver, col = self.subarray, mode.wl_new_driver, mode.sl_switch
        assert driver is not None and col is not None
        t_row = mode.row_decode_latency() * num_write
        t_col = self._tg_write_latency(col, sa.cap_col, sa.res_col, num_write)
        e_row = mode.wl_decoder.write_energy(num_write) + driver.energy(num_write, self.cell.write_voltage_v)
        return max(t_row, t_col), e_row + self._column_switch_energy(col, w, num_write)

    def _column_switch_energy(self, col, w: RowWrites, num_write: float) -> float:
        """A 1T1R array's source-line switch matrix per write operation: V_w on the written columns' lines (J)."""
        v_w = self.cell.write_voltage_v
        n_col = col.num_output
        selected = min(n_col, n_col * w.activity_col)
        pulses = 0 if has_quirk(self.p, COLUMN_SWITCH_PULSES_UNSET) else w.pulses_per_row
        e_col = col.cap_tg_drain * 3 * v_w * v_w * (pulses * selected + n_col - selected / 2)
        e_col += (col.cap_tg_gate_n + col.cap_tg_gate_p) * self.chip.ctx.tech.vdd ** 2 * n_col
        return e_col * num_write

    @staticmethod
    def _tg_write_latency(switch, cap_load: float, res_load: float, num_write: float) -> float:
        """Horowitz delay of a transmission gate charging a line, per write operation."""
        tr = switch.res_tg * (switch._cap_output() + cap_load) + res_load * cap_load / 2
        return horowitz(tr, 0.0, _BIG_RAMP)[0] * num_write

    def _switch_energy(self, row, col, w: RowWrites, num_write: float, one_t: bool) -> float:
        """Gate and line charging of the switch matrices per write operation (NeuroSim V2.1's write modes)."""
        tech, cell = self.chip.ctx.tech, self.chip.ctx.cell
        vdd, v_w = tech.vdd, self.cell.write_voltage_v
        gates_r = row.cap_tg_gate_n + row.cap_tg_gate_p
        gates_c = col.cap_tg_gate_n + col.cap_tg_gate_p
        n_col = col.num_output
        selected = min(n_col, n_col * w.activity_col)
        pulses = 0 if has_quirk(self.p, COLUMN_SWITCH_PULSES_UNSET) else w.pulses_per_row
        if one_t:  # the row switch passes V_access to the access gate; columns take V_w
            e_row = row.cap_tg_drain * 2 * cell.access_voltage_v**2 + gates_r * vdd * vdd * 5
            return e_row * num_write + self._column_switch_energy(col, w, num_write)
        # crossbar: V_w on the selected line, V_w/2 on the others
        e_row = row.cap_tg_drain * 3 * v_w * v_w * (1 + (row.num_output - 1) / 4) + gates_r * vdd * vdd * row.num_output
        e_col = col.cap_tg_drain * 3 * v_w * v_w * (pulses * selected + n_col / 4) + gates_c * vdd * vdd * n_col
        return (e_row + e_col) * num_write

    def _sram_drivers(self, w: RowWrites) -> tuple[float, float]:
        """SRAM: each written bit flips its cell (both nodes); the written rows one after another, each selected (a
        row switched off, the next on), its cells flipped, its bit lines precharged and driven (not under
        SRAM_WRITE_ACTIVITY_UNSET)."""
        sa, p, vdd2 = self.subarray, self.p, self.chip.ctx.tech.vdd**2
        if not self.cell.binary:
            return 0.0, 0.0
        wires = SramWires.of(self.chip.ctx, p.chip.array.rows, p.chip.array.cols)
        rows, flips_per_row = self._sram_written(w)
        e = wires.cap_sram_cell_f * vdd2 * 2 * flips_per_row * rows
        column, switch = getattr(sa.mode, "sram_column", None), getattr(sa.mode, "wl_switch", None)
        if column is None or switch is None:
            return 0.0, e
        if not has_quirk(p, SRAM_WRITE_ACTIVITY_UNSET):  # the written cells' bit lines precharged and driven
            driver = column.write_driver
            e += (sa.cap_col + driver.cap_input + driver.cap_output) * vdd2 * flips_per_row * rows
        t = sram_rows_write_latency(self.chip.ctx, column.precharger, column.write_driver, wires, rows)
        t += self._tg_write_latency(switch, sa.cap_row1, sa.res_row, 2 * rows)
        e += (switch.cap_tg_gate_n + switch.cap_tg_gate_p) * vdd2 * 2 * 2 * rows
        if has_quirk(p, WRITE_SCAN_REGISTER_SRAM):  # the forward read's register steps, one per muxed column
            t += switch.dff.latency(p.cols_muxed, sa.clk_freq)
            e += float(switch.dff.energy(p.cols_muxed, switch.num_output, False))
        return t, e

    def _sram_written(self, w: RowWrites) -> tuple[float, float]:
        """(rows written, cells flipped per written row) of an SRAM sub-array's update; under
        WRITE_ACTIVITY_BLOCK both are the block's activities applied to the whole sub-array."""
        if has_quirk(self.p, WRITE_ACTIVITY_BLOCK):
            array = self.p.chip.array
            return array.rows * w.activity_row, array.cols * w.activity_col
        return w.rows_written, w.cols * w.activity_col

    def _line_energy(self, w: RowWrites) -> tuple[float, float]:
        """Charging the word, bit and source lines for every pulse (selected and half-selected lines): (J, and J per
        second of pulse for the half-selected crossbar cells)."""
        sa, p = self.subarray, self.p
        if self.cell.binary:
            return 0.0, 0.0
        vdd, v_w = self.chip.ctx.tech.vdd, self.cell.write_voltage_v
        v2 = v_w * v_w
        sp, rp = w.set_pulses, w.reset_pulses
        if p.chip.cell.access is AccessType.CMOS:
            wl = sa.cap_row2 * vdd * vdd * (sp + rp)
            if p.chip.cell.type is CellType.FEFET:
                gates_set = sa.cap_col + self.gate_cap_fefet_f * w.rows_set
                gates_reset = sa.cap_col + self.gate_cap_fefet_f * w.rows_reset
                return wl + gates_set * v2 * w.cols_set * sp + gates_reset * v2 * w.cols_reset * rp, 0.0
            un_set, un_reset = _unselected(w.cols, w.cols_set), _unselected(w.cols, w.cols_reset)
            set_lines = sa.cap_col * v2 * un_set + sa.cap_row1 * v2 * w.cols_set
            reset_lines = sa.cap_col * v2 * w.cols_reset + sa.cap_row1 * v2 * un_reset
            return wl + set_lines * sp + reset_lines * rp, 0.0
        return self._crossbar_lines(w)

    def _crossbar_lines(self, w: RowWrites) -> tuple[float, float]:
        """Crossbar: V_w on the selected lines, V_w/2 on the others, half-selected cells leak at V_w/2."""
        sa, cell = self.subarray, self.cell
        v2, h2 = cell.write_voltage_v**2, (cell.write_voltage_v / 2) ** 2
        g_half = (1 / self.p.chip.cell.r_on_ohm + 1 / self.p.chip.cell.r_off_ohm) / 2
        cell_half = h2 * g_half  # W per half-selected cell during a pulse
        sp, rp, avg = w.set_pulses, w.reset_pulses, w.pulses_per_row
        un_rows_set, un_rows_reset = _unselected(w.rows, w.rows_set), _unselected(w.rows, w.rows_reset)
        un_cols_set, un_cols_reset = _unselected(w.cols, w.cols_set), _unselected(w.cols, w.cols_reset)
        e = sa.cap_row1 * v2 * sp + sa.cap_row1 * h2 * (un_rows_set + un_rows_reset) * avg
        e += sa.cap_col * h2 * (un_cols_set * sp + un_cols_reset * rp) + sa.cap_col * v2 * rp
        per_s = cell_half * ((un_cols_set + un_rows_set) * sp + (un_cols_reset + un_rows_reset) * rp)
        return e, per_s

    # ---------------------------------------------------------------------------------------- delta weights
    def _transfer(self, index: int, tile_cells: tuple[int, ...]) -> Transfer:
        """The layer's delta weights (one bit per cell) moved into its tiles: each tile's input buffer written and
        read, and its H-tree. NeuroSim V2.1 (quirk wu_htree_stale_buffer_lines) times the tree's first level with the
        wire resistance its uninitialised variable holds after the buffer's energy call: that call's count of lines
        written, read as ohms per metre."""
        chip = self.chip
        tile: Tile = chip.tile_nm if chip.fp.is_novel[index] and chip.tile_nm is not None else chip.tile_cm
        buffer, tree, pe = tile.periphery.input_buffer, tile.htree, tile.pe
        width = buffer.interface_width
        stale_lines = has_quirk(self.p, UPDATE_HTREE_BUFFER_LINES)
        per_tile = []
        for bits in tile_cells:
            lines = bits / width
            stale_res = lines if stale_lines else 0.0  # ohm/m: the lines' count, as the variable holds it
            per_tile.append((
                buffer.latency(lines) + buffer.write_latency(lines),
                tree.latency(pe.height, pe.width, bits / tree.bus_width, tile.clk_freq, stale_res),
                buffer.energy(width, lines) + buffer.write_energy(width, lines),
                tree.energy(pe.height, pe.width, tree.bus_width, bits / tree.bus_width),
            ))  # fmt: skip
        if not per_tile:
            return Transfer()
        buffer_t, tree_t, buffer_e, tree_e = (sum(column) for column in zip(*per_tile, strict=True))
        slowest_buffer, slowest_tree = max(t[0] for t in per_tile), max(t[1] for t in per_tile)
        return Transfer(buffer_t, tree_t, buffer_e, tree_e, slowest_buffer, slowest_tree)


def _unselected(total: int, selected: int) -> int:
    """Lines not selected (all of them when more are selected than exist)."""
    return total - selected if total >= selected else total
