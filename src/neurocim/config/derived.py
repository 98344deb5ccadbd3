"""Derived quantities of a ChipConfig that circuit models read beside its typed sections."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from neurocim.circuits.constants import IR_DROP_TOLERANCE
from neurocim.compat.quirks import ChipCompat, enabled_quirks, quirk_names
from neurocim.config.chip import (
    AccessType,
    AdcType,
    CellType,
    ChipConfig,
    ReadMode,
    SenseMode,
)
from neurocim.config.io import ConfigError
from neurocim.tech.nodes import WL_REPEATERS, sram_cell_f
from neurocim.tech.technology import V21_NODES_NM
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
class Derived:
    """The chip configuration with the quantities circuits derive from it: per-node defaults resolved, the columns a
    weight spans, calibration factors (1 when not validated), cell footprints, wires and the reproduced quirks.
    Circuits read settings from `chip` and only what is computed from them here."""

    chip: ChipConfig
    cell_bits: int  # bits per cell (1 for SRAM)
    cols_per_weight: int  # columns one weight spans
    cols_muxed: int  # columns sharing one ADC or sense amplifier
    dummy_cols_shared: int  # columns sharing one reference column
    input_toggle: float  # bit toggle rates on wires (1 under NeuroSim V2.1)
    output_toggle: float
    # footprints in feature sizes: the chip's memory cell, and the SRAM cell of buffers and SRAM arrays
    cell_height_f: float
    cell_width_f: float
    sram_height_f: float
    sram_width_f: float
    sram_nmos_width_f: float
    sram_pmos_width_f: float
    sram_access_width_f: float
    r_access_ohm: float  # on-resistance of the 1T1R access device
    read_voltage_v: float
    # calibration (all 1 when not validated)
    alpha: float
    beta: float
    gamma: float
    delta: float
    epsilon: float
    zeta: float
    # sizing, per-node defaults resolved
    mux_driver_factor: float
    wl_decoder_factor: float
    switch_matrix_ratio: float
    new_switch_matrix_ratio: float
    wl_repeaters: int
    wl_repeater_size: float
    # wires
    wires: WireStack
    wire_resistance_row_ohm: float  # per cell along a row
    wire_resistance_col_ohm: float  # per cell along a column
    quirks: frozenset[str] = frozenset()  # NeuroSim quirks reproduced (compat/quirks.py)

    def quirk(self, name: str) -> bool:
        """Whether the registered quirk `name` is reproduced."""
        if name not in quirk_names():
            raise KeyError(f"unregistered quirk {name!r}")
        return name in self.quirks

    @property
    def parallel_read(self) -> bool:
        return self.chip.array.read_mode is ReadMode.PARALLEL

    @property
    def sequential(self) -> bool:
        return self.chip.array.read_mode is ReadMode.SEQUENTIAL

    @property
    def read_levels(self) -> int:
        """Levels one conversion resolves: the ADC's in parallel read, one cell's in sequential read."""
        return self.chip.adc.levels if self.parallel_read else 2**self.cell_bits

    @property
    def feature_size_m(self) -> float:
        """The wire width, which sizes crossbar cells and per-cell wires (NeuroSim's `featuresize`)."""
        return self.wires.wire_width_nm * 1e-9

    @property
    def read_groups(self) -> int:
        """Partial-sum reads (ADC conversions) per sub-array column in parallel read: ceil(rows / parallel rows);
        NeuroSim divides as integers, dropping a partial group (quirk `read_groups_floor`)."""
        rows, parallel = self.chip.array.rows, self.chip.array.rows_in_parallel
        if self.quirk("read_groups_floor"):
            return rows // parallel
        return -(-rows // parallel)

    @property
    def max_conductance(self) -> float:
        return 1.0 / self.chip.cell.r_on_ohm

    @property
    def min_conductance(self) -> float:
        return 1.0 / self.chip.cell.r_off_ohm

    def with_synchronous_clock(self, synchronous: bool) -> Derived:
        """The same chip with its clock synchronous or not (nothing derived depends on it)."""
        clock = self.chip.clock.model_copy(update={"synchronous": synchronous})
        return replace(self, chip=self.chip.model_copy(update={"clock": clock}))


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
    quirks = enabled_quirks(cfg.compat, cfg.quirks)
    node = cfg.technology.node_nm
    if {"v21_transistor_data", "v21_wire_table"} & quirks and node not in V21_NODES_NM:
        raise ConfigError(
            f"technology.node_nm={node} has no NeuroSim V2.1 transistor and wire data (compat={cfg.compat.value}); "
            f"allowed: {', '.join(map(str, V21_NODES_NM))}, or switch off quirks v21_transistor_data and "
            "v21_wire_table"
        )


def derive(cfg: ChipConfig) -> Derived:
    """Resolve per-node defaults and derived quantities of a validated ChipConfig."""
    node = cfg.technology.node_nm
    sequential = cfg.array.read_mode is ReadMode.SEQUENTIAL
    cell_bits = 1 if cfg.cell.type is CellType.SRAM else cfg.cell.bits_per_cell
    cols_per_weight = math.ceil(cfg.precision.weight_bits / cell_bits)
    cols_muxed = cols_per_weight if sequential and cfg.cell.type is CellType.SRAM else cfg.array.cols_per_adc
    sram_h, sram_w = sram_cell_f(node, cfg.compat is ChipCompat.NEUROSIM_V21)
    cell_h, cell_w = _cell_footprint_f(cfg)
    if cfg.cell.type is CellType.SRAM:
        sram_h, sram_w = cell_h, cell_w
    quirks = enabled_quirks(cfg.compat, cfg.quirks)
    stack = v21_wire_stack if "v21_wire_table" in quirks else wire_stack
    wires = stack(node, cfg.technology.temperature_k)
    v21_cells = "v21_cell_constants" in quirks
    w = wires.wire_width_nm * 1e-9
    repeaters, repeater_size = WL_REPEATERS.get(node, (0, 0.0))
    cal = cfg.calibration
    v = cal.validated
    s = cfg.sizing
    v21_toggles = "v21_wire_activity" in quirks  # V2.1 counts every transferred bit at its wire activity
    return Derived(
        chip=cfg,
        cell_bits=cell_bits,
        cols_per_weight=cols_per_weight,
        cols_muxed=cols_muxed,
        dummy_cols_shared=cfg.adc.dummy_column_shared or cfg.adc.levels,
        input_toggle=1.0 if v21_toggles else cfg.interconnect.input_toggle,
        output_toggle=1.0 if v21_toggles else cfg.interconnect.output_toggle,
        cell_height_f=cell_h,
        cell_width_f=cell_w,
        sram_height_f=sram_h,
        sram_width_f=sram_w,
        sram_nmos_width_f=V21_SRAM_WIDTHS[0] if v21_cells else 1.0,
        sram_pmos_width_f=V21_SRAM_WIDTHS[1] if v21_cells else 1.0,
        sram_access_width_f=V21_SRAM_WIDTHS[2] if v21_cells else 1.0,
        r_access_ohm=V21_ACCESS_RESISTANCE_OHM if v21_cells else cfg.cell.r_on_ohm * IR_DROP_TOLERANCE,
        read_voltage_v=cfg.cell.read_voltage_v or READ_VOLTAGE_V[node],
        alpha=cal.alpha if v else 1.0,
        beta=cal.beta if v else 1.0,
        gamma=cal.gamma if v else 1.0,
        delta=cal.delta if v else 1.0,
        epsilon=cal.epsilon if v else 1.0,
        zeta=cal.zeta if v else 1.0,
        mux_driver_factor=s.mux_driver_factor or _MUX_DRIVER_FACTOR.get(node, 1.0),
        wl_decoder_factor=s.wl_decoder_factor or 1.0,
        switch_matrix_ratio=s.switch_matrix_ratio or _SWITCH_MATRIX_RATIO.get(node, 0.1),
        new_switch_matrix_ratio=s.new_switch_matrix_ratio or (14.0 if node == 22 else 6.0),
        wl_repeaters=repeaters if s.wl_repeaters is None else s.wl_repeaters,
        wl_repeater_size=repeater_size if s.wl_repeater_size is None else s.wl_repeater_size,
        wires=wires,
        wire_resistance_row_ohm=wires.unit_resistance * w * cell_h,
        wire_resistance_col_ohm=wires.unit_resistance * w * cell_w,
        quirks=quirks,
    )
