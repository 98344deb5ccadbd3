"""Sub-array geometry and parasitics: array size, row/column wires, access devices and WL repeaters."""

from __future__ import annotations

from dataclasses import dataclass

from neurocim.circuits.constants import (
    CPP_BY_NODE,
    IR_DROP_TOLERANCE,
    LINEAR_REGION_RATIO,
    MAX_TRANSISTOR_HEIGHT,
    MAX_TRANSISTOR_HEIGHT_BY_NODE,
    MIN_GAP_BET_GATE_POLY,
    MIN_GAP_BET_GATE_POLY_FINFET,
    POLY_WIDTH,
    POLY_WIDTH_FINFET,
)
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    drain_cap,
    gate_area,
    gate_cap,
    gate_capacitance,
    gate_leakage,
    on_resistance,
)
from neurocim.circuits.gates.gates_common import ceil_int, fdiv, fin_factor, fin_rules, node_key
from neurocim.config.chip import AccessType, CellType
from neurocim.config.io import ConfigError

WIRE_CAP_PER_M = 0.2e-15 / 1e-6  # 0.2 fF/um, NeuroSim's array wire capacitance


@dataclass(frozen=True)
class Repeaters:
    """WL repeaters inserted along each row at 2/1 nm (NeuroSim V1.4 buffer insertion); all zero without them."""

    count: float  # repeaters per row (param->buffernumber)
    section_res: float  # row wire resistance per section, ohm
    target_drive_res: float  # on-resistance of the repeater NMOS, ohm
    width_n: float  # m
    width_p: float  # m
    height: float  # layout height of one repeater, m
    width: float  # layout width of one repeater, m
    cap_in: float  # F
    cap_out: float  # F
    leakage_current: float  # A per repeater (NeuroSim adds it without Vdd to eNVM arrays)


@dataclass(frozen=True)
class ArrayGeometry:
    """Everything SubArray::Initialize derives from the cell and array size before sizing the periphery."""

    num_row: int
    num_col: int
    length_row: float  # m, along a row (array width)
    length_col: float  # m, along a column (array height)
    cap_row1: float  # F, WL (SRAM, crossbar) or BL (1T1R) with the access gates where NeuroSim adds them
    cap_row2: float  # F, WL of 1T1R arrays
    cap_col: float  # F, bit line including the access drains (param->columncap)
    res_row: float  # ohm (metal 1)
    res_col: float  # ohm (metal 0)
    res_cell_access: float  # ohm: SRAM access device, or the 1T1R access device (0 for crossbar)
    cap_cell_access: float  # F, drain of the SRAM access device (0 for eNVM)
    width_access_cmos: float  # access device width in F (cell.widthAccessCMOS; derived for 1T1R)
    res_mem_cell_on: float  # ohm, eNVM cell incl. access device (0 for SRAM)
    res_mem_cell_off: float
    res_mem_cell_avg: float
    unit_cap: float  # F per cell of row wire (param->unitcap as Initialize leaves it)
    unit_res: float  # ohm per cell of row wire (param->unitres)
    array_height: float  # m, dummy-column height used by the flash ADC area (param->arrayheight)
    array_width_unit: float  # m, dummy-column width (param->arraywidthunit)
    repeaters: Repeaters

    @property
    def area(self) -> float:
        return self.length_col * self.length_row


def _min_cell_size(ctx: CircuitContext) -> tuple[float, float]:
    """Logic cell height and width in F that `relax_array_cell_*` stretches the memory cell to."""
    height = MAX_TRANSISTOR_HEIGHT
    width = (MIN_GAP_BET_GATE_POLY + POLY_WIDTH) * 2
    key = node_key(ctx.tech)
    if key is not None:
        height *= MAX_TRANSISTOR_HEIGHT_BY_NODE[key] / MAX_TRANSISTOR_HEIGHT
        if key == 14:  # NeuroSim quirk: 14 nm uses the generic FinFET pitch here, not its CPP table entry
            width *= (POLY_WIDTH_FINFET + MIN_GAP_BET_GATE_POLY_FINFET) / (MIN_GAP_BET_GATE_POLY + POLY_WIDTH)
        else:
            width *= CPP_BY_NODE[key] / (MIN_GAP_BET_GATE_POLY + POLY_WIDTH)
    return height, width


def _array_lengths(ctx: CircuitContext, num_row: int, num_col: int) -> tuple[float, float]:
    """(length_row, length_col) in m. SRAM and 1T1R scale by the node, crossbar cells by the wire width."""
    p, cell, f = ctx.p, ctx.cell, ctx.tech.feature_size
    min_h, min_w = _min_cell_size(ctx)
    w, h = cell.width_f, cell.height_f
    if cell.type is CellType.SRAM:
        # the SRAM cell lies rotated against the logic rows: its width meets the logic cell height
        row = num_col * (max(w, min_h) if p.chip.array.relax_cell_width else w) * f
        col = num_row * (max(h, min_w) if p.chip.array.relax_cell_height else h) * f
    elif cell.access is AccessType.CMOS:
        row = num_col * (max(w, min_w * 2) if p.chip.array.relax_cell_width else w) * f
        col = num_row * (max(h, min_h) if p.chip.array.relax_cell_height else h) * f
    else:
        fc = cell.feature_size_m
        row = num_col * (max(w * fc, min_w * 2 * f) if p.chip.array.relax_cell_width else w * fc)
        col = num_row * (max(h * fc, min_h * f) if p.chip.array.relax_cell_height else h * fc)
    return row, col


def _fin_factor(ctx: CircuitContext) -> int:
    """FinFET/GAA devices are drawn with two F per fin."""
    return fin_factor(ctx.tech)


def _repeaters(ctx: CircuitContext, res_row: float, active: bool) -> Repeaters:
    """Size the WL repeaters (parallel SRAM and 1T1R arrays with buffer_number > 0)."""
    p, tech, t = ctx.p, ctx.tech, ctx.temperature
    if not active or p.wl_repeaters <= 0:
        return Repeaters(p.wl_repeaters if active else 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    f = tech.feature_size
    k = _fin_factor(ctx)
    section_res = res_row / (p.wl_repeaters + 1)
    target = on_resistance(k * f * p.wl_repeater_size, Mos.NMOS, t, tech)
    width_n = on_resistance(k * f, Mos.NMOS, t, tech) / target * f
    width_p = on_resistance(k * f, Mos.PMOS, t, tech) / target * f
    if fin_rules(tech):
        width_n = 2 * ceil_int(width_n / f) * f
        width_p = 2 * ceil_int(width_p / f) * f
    region = f * MAX_TRANSISTOR_HEIGHT
    _, h_inv, w_inv = gate_area(GateType.INV, 1, width_n, width_p, region, tech)
    cap_in, cap_out = gate_capacitance(GateType.INV, 1, width_n, width_p, region, tech)
    leak = gate_leakage(GateType.INV, 1, width_n, width_p, t, tech)
    return Repeaters(p.wl_repeaters, section_res, target, width_n, width_p, h_inv, w_inv, cap_in, cap_out, leak)


def array_geometry(ctx: CircuitContext, num_row: int, num_col: int) -> ArrayGeometry:
    """Array size, wire parasitics and access-device values (NeuroSim V1.4 SubArray::Initialize)."""
    p, tech, cell, t = ctx.p, ctx.tech, ctx.cell, ctx.temperature
    f = tech.feature_size
    length_row, length_col = _array_lengths(ctx, num_row, num_col)
    cap_row1 = cap_row2 = length_row * WIRE_CAP_PER_M
    cap_col = length_col * WIRE_CAP_PER_M
    res_row = length_row * p.wires.metal1_unit_resistance
    res_col = length_col * p.wires.metal0_unit_resistance
    unit_cap = unit_res = 0.0  # never set for crossbar arrays (NeuroSim leaves the global at its initial value)
    res_cell_access = cap_cell_access = 0.0
    res_on = res_off = res_avg = 0.0
    width_access = cell.access_width_f
    k = _fin_factor(ctx)
    region = MAX_TRANSISTOR_HEIGHT * f
    if cell.type is CellType.SRAM and p.quirk("v21_sram_array_parasitics"):
        # V2.1: planar access device, its drain in the cell's width, and bare wires for the word and bit lines
        w_acc = width_access * f
        res_cell_access = on_resistance(w_acc, Mos.NMOS, t, tech)
        cap_cell_access = drain_cap(w_acc, Mos.NMOS, cell.width_f * f, tech)
        unit_cap, unit_res = cap_row1 / p.chip.array.cols, res_row / p.chip.array.cols
        array_height = num_row * cell.height_f * cell.feature_size_m
        array_width_unit = cell.width_f * f
    elif cell.type is CellType.SRAM:
        w_acc = width_access * k * f
        res_cell_access = on_resistance(w_acc, Mos.NMOS, t, tech)
        cap_cell_access = drain_cap(w_acc, Mos.NMOS, region, tech)
        unit_cap = cap_row1 / p.chip.array.cols  # taken before the access gates are added
        unit_res = res_row / p.chip.array.cols
        if fin_rules(tech):
            cap_col += tech.cap_draintotal * width_access * tech.effective_width * num_row
        else:
            cap_col += drain_cap(w_acc, Mos.NMOS, region, tech) * num_row
        # sequential reads drive both access gates of the cell, parallel reads one
        cap_row1 += (2 if p.sequential else 1) * gate_cap(w_acc, tech) * num_col
        array_height = num_row * cell.height_f * cell.feature_size_m
        array_width_unit = cell.width_f * f
    else:
        n_par = p.chip.array.rows_in_parallel
        if cell.access is AccessType.CMOS:
            res_cell_access = cell.r_on_ohm * IR_DROP_TOLERANCE
            width_access = on_resistance(k * f, Mos.NMOS, t, tech) * LINEAR_REGION_RATIO / res_cell_access
            width_f = width_access
            if fin_rules(tech):
                width_f = ((width_access - 1) * tech.pitch_fin + tech.width_fin) / f  # fin count to F
            if width_f > cell.width_f:
                raise ConfigError(
                    f"cell.width_f={cell.width_f}: the 1T1R access transistor for cell.r_on_ohm={cell.r_on_ohm:g} "
                    f"is {width_f:.2f} F wide at {tech.node_nm} nm; allowed: cell.width_f >= {width_f:.2f}, or a "
                    "larger cell.r_on_ohm"
                )
            res_on = res_cell_access + cell.r_on_ohm
            res_off = res_cell_access + cell.r_off_ohm
        else:
            res_on, res_off = cell.r_on_ohm, cell.r_off_ohm
        # the harmonic mean of on and off cells over the parallel rows (the row count cancels)
        res_avg = (
            1 / (1 / (cell.r_on_ohm + res_cell_access) * n_par / 2.0
                 + 1 / (cell.r_off_ohm + res_cell_access) * n_par / 2.0) * n_par
        )  # fmt: skip
        if cell.access is AccessType.CMOS:
            w_acc = width_access * k * f
            cap_row2 += gate_cap(w_acc, tech) * num_col
            unit_cap = cap_row2 / p.chip.array.cols
            unit_res = res_row / p.chip.array.cols
            cap_col += drain_cap(w_acc, Mos.NMOS, region, tech) * num_row
        array_height = num_row * cell.height_f * cell.feature_size_m
        array_width_unit = cell.width_f * cell.feature_size_m
    with_repeaters = p.parallel_read and (cell.type is CellType.SRAM or cell.access is AccessType.CMOS)
    return ArrayGeometry(
        num_row=num_row,
        num_col=num_col,
        length_row=length_row,
        length_col=length_col,
        cap_row1=cap_row1,
        cap_row2=cap_row2,
        cap_col=cap_col,
        res_row=res_row,
        res_col=res_col,
        res_cell_access=res_cell_access,
        cap_cell_access=cap_cell_access,
        width_access_cmos=width_access,
        res_mem_cell_on=res_on,
        res_mem_cell_off=res_off,
        res_mem_cell_avg=res_avg,
        unit_cap=unit_cap,
        unit_res=unit_res,
        array_height=array_height,
        array_width_unit=array_width_unit,
        repeaters=_repeaters(ctx, res_row, with_repeaters),
    )


def repeater_latency(geo: ArrayGeometry, unit_cap: float, unit_res: float, sub_array_cols: int) -> float:
    """Delay (s) of the WL repeater chain: 0.69 RC per stage plus the distributed wire of each section."""
    rep = geo.repeaters
    if rep.count <= 0:
        return 0.0
    section = sub_array_cols / (rep.count + 1)  # a double division in NeuroSim
    r_drv = rep.target_drive_res
    wire = unit_cap * section * (0.69 * r_drv + 0.38 * unit_res * section)
    t_mid = r_drv * rep.cap_out * 0.69 + wire + (unit_cap * section * 0.69 + 0.69 * r_drv) * rep.cap_in
    t_last = r_drv * rep.cap_out * 0.69 + wire
    t_drive = (rep.cap_out + rep.cap_in) * r_drv * 0.69
    latency = 0.0
    for i in range(int(rep.count) - 1, -1, -1):
        latency += (t_last + t_drive) if i == 0 else (t_mid + t_drive)
    return latency


def fdiv_rows(value: float, num_row_parallel: int) -> float:
    """value / (num_row_parallel / 2), halved as an int as NeuroSim does; one row is a real half (NeuroSim's 0
    would make the resistance infinite: a zero-width mux gate at <= 14 nm, an infinite bit-line delay)."""
    return fdiv(value, num_row_parallel // 2 or num_row_parallel / 2)


def switch_line_resistance(ctx: CircuitContext, geo: ArrayGeometry) -> float:
    """The resistance (ohm) an eNVM sub-array's source-line switches are sized against: the cells' mean resistance
    over the rows read at once, times the rows (NeuroSim V1.4), or under quirk v21_switch_matrix_sizing one cell's
    on-resistance (V2.1). A crossbar's row switches take it over the columns."""
    if ctx.p.quirk("v21_switch_matrix_sizing"):
        return geo.res_mem_cell_on
    return geo.res_mem_cell_avg / ctx.p.chip.array.rows_in_parallel * geo.num_row
