"""Derived hardware parameters: the flat, resolved view of a ChipConfig that circuit models read."""

from __future__ import annotations

import math
from dataclasses import dataclass

from neurocim.circuits.constants import IR_DROP_TOLERANCE
from neurocim.compat.quirks import ChipCompat, enabled_quirks, quirk_names
from neurocim.config.chip import (
    AccessType,
    ActivationFunction,
    ActivationPlace,
    AdcType,
    BufferType,
    BusType,
    CellType,
    ChipConfig,
    MappingType,
    ReadMode,
    Roadmap,
    SenseMode,
)
from neurocim.config.io import ConfigError
from neurocim.tech.nodes import WL_REPEATERS, sram_cell_f
from neurocim.tech.wires import WireStack, v21_wire_stack, wire_stack

# Per-node peripheral sizing defaults (NeuroSim V1.4 Param.cpp): mux driver factor, switch-matrix ratio.
_MUX_DRIVER_FACTOR: dict[int, float] = {22: 110, 14: 130, 10: 80, 7: 60, 5: 50, 3: 25, 2: 25, 1: 30}
_SWITCH_MATRIX_RATIO = {22: 0.2, 14: 0.2, 10: 0.2, 7: 0.2, 5: 0.06, 3: 0.03, 2: 0.1, 1: 0.1}
# Fixed read voltage per node, matched to the ADC characterisation tables (V).
READ_VOLTAGE_V = {
    130: 0.58,
    90: 0.58,
    65: 0.55,
    45: 0.51,
    32: 0.51,
    22: 0.55,
    14: 0.277,
    10: 0.28,
    7: 0.264,
    5: 0.253,
    3: 0.248,
    2: 0.28,
    1: 0.272,
}
V21_SRAM_WIDTHS = (2.08, 1.23, 1.31)  # NeuroSim V2.1's SRAM NMOS, PMOS, access widths in feature sizes
V21_ACCESS_RESISTANCE_OHM = 15e3  # V2.1's fixed on-resistance of the 1T1R access transistor


_CELL_1T1R_F = (4.0, 12.0)
_CELL_CROSSBAR_F = (2.0, 2.0)


@dataclass(frozen=True)
class Params:
    """Resolved hardware parameters (SI units). Names follow the circuit models, not the YAML."""

    # modes
    cell_type: CellType
    access_type: AccessType
    roadmap: Roadmap
    technode: int
    temperature_k: int
    parallel_read: bool
    sequential: bool
    novel_mapping: bool
    strict_floorplan: bool
    pipeline: bool
    speed_up_degree: int
    synchronous: bool
    validated: bool
    sar_adc: bool
    current_mode: bool
    chip_activation: bool
    relu: bool
    sigmoid_lut_sram: bool
    global_bus_htree: bool
    global_buffer_sram: bool
    tile_buffer_sram: bool
    pe_buffer_sram: bool
    sync_data_transfer: bool
    # precision and array
    synapse_bit: int
    num_bit_input: int
    cell_bit: int
    num_col_per_synapse: int
    num_row_per_synapse: int
    num_row_sub_array: int
    num_col_sub_array: int
    num_row_parallel: int
    num_col_muxed: int
    level_output: int
    dumcolshared: int
    algo_weight_max: float
    algo_weight_min: float
    relax_array_cell_height: bool
    relax_array_cell_width: bool
    # buffers and interconnect
    global_buffer_core_rows: int
    global_buffer_core_cols: int
    tile_buffer_core_rows: int
    tile_buffer_core_cols: int
    global_bus_delay_tolerance: float
    local_bus_delay_tolerance: float
    tree_folded_ratio: float
    max_global_bus_width: int
    input_toggle: float
    output_toggle: float
    clk_freq_max_hz: float
    # cell
    height_in_feature_size_sram: float
    width_in_feature_size_sram: float
    width_sram_cell_nmos: float
    width_sram_cell_pmos: float
    width_access_cmos: float
    min_sense_voltage: float
    height_in_feature_size_1t1r: float
    width_in_feature_size_1t1r: float
    height_in_feature_size_crossbar: float
    width_in_feature_size_crossbar: float
    resistance_on: float
    resistance_off: float
    resistance_access: float
    read_voltage: float
    read_pulse_width: float
    access_voltage: float
    write_voltage: float
    # calibration (all 1 when not validated)
    alpha: float
    beta: float
    gamma: float
    delta: float
    epsilon: float
    zeta: float
    # sizing
    sizing_factor_mux: float
    sizing_factor_wl_decoder: float
    switch_matrix_size_ratio: float
    new_switch_matrix_size_ratio: float
    buffer_number: int
    buffer_size_ratio: float
    special_layout: bool
    # wires
    wires: WireStack
    wire_length_row: float  # per-cell row wire segment, m
    wire_length_col: float  # per-cell column wire segment, m
    wire_resistance_row: float  # ohm per cell along a row
    wire_resistance_col: float  # ohm per cell along a column
    quirks: frozenset[str] = frozenset()  # NeuroSim quirks reproduced (compat/quirks.py)

    def quirk(self, name: str) -> bool:
        """Whether the registered quirk `name` is reproduced."""
        if name not in quirk_names():
            raise KeyError(f"unregistered quirk {name!r}")
        return name in self.quirks

    @property
    def feature_size_wire(self) -> float:
        """NeuroSim's `featuresize`: the wire width in m (sizes crossbar cells and per-cell wires)."""
        return self.wires.wire_width_nm * 1e-9

    @property
    def read_groups(self) -> int:
        """Partial-sum reads (ADC conversions) per sub-array column in parallel read: ceil(rows / parallel rows);
        NeuroSim divides as integers, dropping a partial group (quirk `read_groups_floor`)."""
        if self.quirk("read_groups_floor"):
            return self.num_row_sub_array // self.num_row_parallel
        return -(-self.num_row_sub_array // self.num_row_parallel)

    @property
    def max_conductance(self) -> float:
        return 1.0 / self.resistance_on

    @property
    def min_conductance(self) -> float:
        return 1.0 / self.resistance_off

    @property
    def is_sram(self) -> bool:
        return self.cell_type is CellType.SRAM


def _cell_footprint_f(cfg: ChipConfig) -> tuple[float, float]:
    """(height, width) of the memory cell in feature sizes."""
    c = cfg.cell
    if c.type is CellType.SRAM:
        default = sram_cell_f(cfg.technology.node_nm, cfg.compat is ChipCompat.NEUROSIM_V21)
    elif c.access is AccessType.CMOS:
        default = _CELL_1T1R_F
    else:
        default = _CELL_CROSSBAR_F
    return (c.height_f or default[0], c.width_f or default[1])


def check_cost_model_limits(cfg: ChipConfig) -> None:
    """Refuse, naming the fields, what the accuracy half simulates but the cost model cannot size: a current-sense
    flash ADC (MLSA) of 2 levels, whose latency model needs at least 3 (NeuroSim's mirror-gate count wraps)."""
    _check_v21_node(cfg)
    if cfg.adc.type is not AdcType.FLASH or cfg.adc.sense_mode is not SenseMode.CURRENT:
        return
    sequential = cfg.array.read_mode is ReadMode.SEQUENTIAL
    if sequential and cfg.cell.type is CellType.SRAM:
        return  # SRAM sequential read senses with a plain sense amplifier, not the ADC
    if sequential and cfg.cell.bits_per_cell == 1:
        raise ConfigError(
            "array.read_mode=sequential with cell.bits_per_cell=1 reads each cell with a 2-level ADC, which the "
            "current-sense flash cost model cannot size; allowed: adc.sense_mode=voltage, adc.type=sar, "
            "cell.bits_per_cell >= 2 or read_mode=parallel"
        )
    if not sequential and cfg.adc.bits == 1:
        raise ConfigError(
            "adc.bits=1 with a current-sense flash ADC has no cost model (its latency model needs >= 3 levels); "
            "allowed: adc.bits 2..12, adc.sense_mode=voltage or adc.type=sar"
        )


def _check_v21_node(cfg: ChipConfig) -> None:
    """NeuroSim V2.1's transistor and wire data (compat neurosim_v21) exist for the planar nodes only."""
    from neurocim.tech.technology import V21_PHY_GATE_LENGTH_M  # technology reads Params' enums

    quirks = enabled_quirks(cfg.compat, cfg.quirks)
    node = cfg.technology.node_nm
    if {"v21_transistor_data", "v21_wire_table"} & quirks and node not in V21_PHY_GATE_LENGTH_M:
        raise ConfigError(
            f"technology.node_nm={node} has no NeuroSim V2.1 transistor and wire data (compat={cfg.compat.value}); "
            f"allowed: {', '.join(map(str, V21_PHY_GATE_LENGTH_M))}, or switch off quirks v21_transistor_data and "
            "v21_wire_table"
        )


def derive_params(cfg: ChipConfig) -> Params:
    """Resolve per-node defaults and derived quantities of a validated ChipConfig."""
    node = cfg.technology.node_nm
    sequential = cfg.array.read_mode is ReadMode.SEQUENTIAL
    cell_bit = 1 if cfg.cell.type is CellType.SRAM else cfg.cell.bits_per_cell
    num_col_per_synapse = math.ceil(cfg.precision.weight_bits / cell_bit)
    num_col_muxed = cfg.array.cols_per_adc
    if sequential and cfg.cell.type is CellType.SRAM:
        num_col_muxed = num_col_per_synapse
    sram_h, sram_w = sram_cell_f(node, cfg.compat is ChipCompat.NEUROSIM_V21)
    cell_h, cell_w = _cell_footprint_f(cfg)
    if cfg.cell.type is CellType.SRAM:
        sram_h, sram_w = cell_h, cell_w
    onetr_h, onetr_w = (cell_h, cell_w) if cfg.cell.access is AccessType.CMOS else _CELL_1T1R_F
    xbar_h, xbar_w = (cell_h, cell_w) if cfg.cell.access is AccessType.NONE else _CELL_CROSSBAR_F
    quirks = enabled_quirks(cfg.compat, cfg.quirks)
    stack = v21_wire_stack if "v21_wire_table" in quirks else wire_stack
    wires = stack(node, cfg.technology.temperature_k)
    v21_cells = "v21_cell_constants" in quirks
    w = wires.wire_width_nm * 1e-9
    length_row, length_col = w * cell_h, w * cell_w
    repeaters, repeater_size = WL_REPEATERS.get(node, (0, 0.0))
    cal = cfg.calibration
    v = cal.validated
    s = cfg.sizing
    return Params(
        cell_type=cfg.cell.type,
        access_type=cfg.cell.access,
        roadmap=cfg.technology.roadmap,
        technode=node,
        temperature_k=cfg.technology.temperature_k,
        parallel_read=not sequential,
        sequential=sequential,
        novel_mapping=cfg.mapping is MappingType.NOVEL,
        strict_floorplan=cfg.strict_floorplan,
        pipeline=cfg.pipeline.enabled,
        speed_up_degree=cfg.pipeline.speedup_degree,
        synchronous=cfg.clock.synchronous,
        validated=v,
        sar_adc=cfg.adc.type is AdcType.SAR,
        current_mode=cfg.adc.sense_mode is SenseMode.CURRENT,
        chip_activation=cfg.activation.place is ActivationPlace.CHIP,
        relu=cfg.activation.function is ActivationFunction.RELU,
        sigmoid_lut_sram=cfg.activation.sigmoid_lut is CellType.SRAM,
        global_bus_htree=cfg.interconnect.global_bus is BusType.HTREE,
        global_buffer_sram=cfg.buffers.global_type is BufferType.SRAM,
        tile_buffer_sram=cfg.buffers.tile_type is BufferType.SRAM,
        pe_buffer_sram=cfg.buffers.pe_type is BufferType.SRAM,
        sync_data_transfer=cfg.interconnect.sync_data_transfer,
        synapse_bit=cfg.precision.weight_bits,
        num_bit_input=cfg.precision.input_bits,
        cell_bit=cell_bit,
        num_col_per_synapse=num_col_per_synapse,
        num_row_per_synapse=1,
        num_row_sub_array=cfg.array.rows,
        num_col_sub_array=cfg.array.cols,
        num_row_parallel=cfg.array.rows_in_parallel,
        num_col_muxed=num_col_muxed,
        level_output=cfg.adc.levels,
        dumcolshared=cfg.adc.dummy_column_shared or cfg.adc.levels,
        algo_weight_max=cfg.precision.weight_max,
        algo_weight_min=cfg.precision.weight_min,
        relax_array_cell_height=cfg.array.relax_cell_height,
        relax_array_cell_width=cfg.array.relax_cell_width,
        global_buffer_core_rows=cfg.buffers.global_core_rows,
        global_buffer_core_cols=cfg.buffers.global_core_cols,
        tile_buffer_core_rows=cfg.buffers.tile_core_rows,
        tile_buffer_core_cols=cfg.buffers.tile_core_cols,
        global_bus_delay_tolerance=cfg.interconnect.global_delay_tolerance,
        local_bus_delay_tolerance=cfg.interconnect.local_delay_tolerance,
        tree_folded_ratio=cfg.interconnect.tree_folded_ratio,
        max_global_bus_width=cfg.interconnect.max_global_bus_width,
        # NeuroSim V2.1 has no toggle rates: every transferred bit counts at its wire activity
        input_toggle=1.0 if "v21_wire_activity" in quirks else cfg.interconnect.input_toggle,
        output_toggle=1.0 if "v21_wire_activity" in quirks else cfg.interconnect.output_toggle,
        clk_freq_max_hz=cfg.clock.max_frequency_hz,
        height_in_feature_size_sram=sram_h,
        width_in_feature_size_sram=sram_w,
        width_sram_cell_nmos=V21_SRAM_WIDTHS[0] if v21_cells else 1.0,
        width_sram_cell_pmos=V21_SRAM_WIDTHS[1] if v21_cells else 1.0,
        width_access_cmos=V21_SRAM_WIDTHS[2] if v21_cells else 1.0,
        min_sense_voltage=cfg.cell.min_sense_voltage_v,
        height_in_feature_size_1t1r=onetr_h,
        width_in_feature_size_1t1r=onetr_w,
        height_in_feature_size_crossbar=xbar_h,
        width_in_feature_size_crossbar=xbar_w,
        resistance_on=cfg.cell.r_on_ohm,
        resistance_off=cfg.cell.r_off_ohm,
        # on-resistance of the 1T1R access device
        resistance_access=V21_ACCESS_RESISTANCE_OHM if v21_cells else cfg.cell.r_on_ohm * IR_DROP_TOLERANCE,
        read_voltage=cfg.cell.read_voltage_v or READ_VOLTAGE_V[node],
        read_pulse_width=cfg.cell.read_pulse_width_s,
        access_voltage=cfg.cell.access_voltage_v,
        write_voltage=cfg.cell.write_voltage_v,
        alpha=cal.alpha if v else 1.0,
        beta=cal.beta if v else 1.0,
        gamma=cal.gamma if v else 1.0,
        delta=cal.delta if v else 1.0,
        epsilon=cal.epsilon if v else 1.0,
        zeta=cal.zeta if v else 1.0,
        sizing_factor_mux=s.mux_driver_factor or _MUX_DRIVER_FACTOR.get(node, 1.0),
        sizing_factor_wl_decoder=s.wl_decoder_factor or 1.0,
        switch_matrix_size_ratio=s.switch_matrix_ratio or _SWITCH_MATRIX_RATIO.get(node, 0.1),
        new_switch_matrix_size_ratio=s.new_switch_matrix_ratio or (14.0 if node == 22 else 6.0),
        buffer_number=repeaters if s.wl_repeaters is None else s.wl_repeaters,
        buffer_size_ratio=repeater_size if s.wl_repeater_size is None else s.wl_repeater_size,
        special_layout=s.special_layout,
        wires=wires,
        wire_length_row=length_row,
        wire_length_col=length_col,
        wire_resistance_row=wires.unit_resistance * length_row,
        wire_resistance_col=wires.unit_resistance * length_col,
        quirks=quirks,
    )
