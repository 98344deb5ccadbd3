"""Analog column multiplexer: one transmission gate per (input, selection) pair; NeuroSim V1.4 Mux model."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import (
    CPP_BY_NODE,
    IR_DROP_TOLERANCE,
    LINEAR_REGION_RATIO,
    MAX_TRANSISTOR_HEIGHT,
    MAX_TRANSISTOR_HEIGHT_BY_NODE,
    MIN_GAP_BET_GATE_POLY,
    POLY_WIDTH,
)
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    gate_cap,
    gate_capacitance,
    on_resistance,
    on_resistance_normal,
    pass_gate_area,
)
from neurocim.circuits.gates.gates_common import c_int, ceil_int, fdiv, fin_factor, fin_rules, node_key
from neurocim.tech.technology import Technology


def tg_cell_height(tech: Technology) -> float:
    """Standard-cell height (m) that one transmission gate needs: 28 F, rescaled to the FinFET/GAA cell height."""
    height = MAX_TRANSISTOR_HEIGHT * tech.feature_size
    key = node_key(tech)
    if key is not None:
        height *= MAX_TRANSISTOR_HEIGHT_BY_NODE[key] / MAX_TRANSISTOR_HEIGHT
    return height


def tg_cell_width(tech: Technology) -> float:
    """Minimum standard-cell width (m) of one transmission gate: two poly pitches, rescaled to the node's CPP."""
    width = 2 * (POLY_WIDTH + MIN_GAP_BET_GATE_POLY) * tech.feature_size
    key = node_key(tech)
    if key is not None:
        width *= CPP_BY_NODE[key] / (MIN_GAP_BET_GATE_POLY + POLY_WIDTH)
    return width


def tg_column_fit(new_height: float, num_tg: int, tech: Technology) -> tuple[int, float]:
    """(columns, TG cell height in m) of `num_tg` TGs stacked in columns of `new_height`, filled evenly; a height
    below one TG cell holds one TG of natural height per column (NeuroSim's count of columns is infinite)."""
    per_col = c_int(new_height / tg_cell_height(tech))
    if per_col < 1:
        return num_tg, tg_cell_height(tech)
    num_cols = ceil_int(fdiv(num_tg, per_col))
    per_col = ceil_int(fdiv(num_tg, num_cols))
    return num_cols, fdiv(new_height, per_col)


def tg_row_fold(new_width: float, num_slot: int, tg_per_slot: int, tech: Technology) -> tuple[int, int]:
    """(rows, folds per TG) of `num_slot` groups of `tg_per_slot` TGs laid side by side in rows of `new_width`; a
    width below one group holds one group of minimum-width TGs per row (NeuroSim's count of rows is infinite)."""
    min_width = tg_cell_width(tech)
    per_row = c_int(new_width / (min_width * tg_per_slot))
    if per_row < 1:
        return num_slot, 1
    num_rows = ceil_int(fdiv(num_slot, per_row))
    per_row = ceil_int(fdiv(num_slot, num_rows))
    tg_width = fdiv(new_width, per_row) / tg_per_slot
    return num_rows, c_int(tg_width / (0.5 * min_width)) - 1


def sized_tg_widths(ctx: CircuitContext, res_target: float, scale: float) -> tuple[float, float]:
    """NMOS/PMOS widths (m) of a TG whose parallel on-resistance is about `res_target`.

    Each device gets 2x the target (they conduct in parallel); FinFET/GAA widths are rounded up to an even
    number of F (whole fins), bulk widths are at least 1 F. `scale` is the linear-region factor
    (1 for the mux, 0.2 for switch matrices).
    """
    tech = ctx.tech
    f = tech.feature_size
    w_min = fin_factor(tech) * f
    width_n = on_resistance_normal(w_min, Mos.NMOS, ctx.temperature, tech) * f * scale / (res_target * 2)
    width_p = on_resistance_normal(w_min, Mos.PMOS, ctx.temperature, tech) * f * scale / (res_target * 2)
    if fin_rules(tech):
        width_n = 2 * ceil_int(width_n / f) * f
        width_p = 2 * ceil_int(width_p / f) * f
    else:
        if width_n < f:
            width_n = f
        if width_p < f:
            width_p = f
    return width_n, width_p


def v21_tg_sizing(ctx: CircuitContext, res_target: float) -> tuple[float, float, float]:
    """NeuroSim V2.1's switch-matrix and mux TG: each device 2x the target resistance in the linear region, from the
    effective on-resistance of a 1 F device, widths neither rounded nor clamped; the TG taken at the target."""
    tech, f, t = ctx.tech, ctx.tech.feature_size, ctx.temperature
    scale = f * LINEAR_REGION_RATIO / (res_target * 2)
    return on_resistance(f, Mos.NMOS, t, tech) * scale, on_resistance(f, Mos.PMOS, t, tech) * scale, res_target


def tg_resistance(ctx: CircuitContext, width_n: float, width_p: float) -> float:
    """On-resistance (ohm) of a transmission gate: NMOS and PMOS in parallel (no Vdsat multiplier)."""
    r_n = on_resistance_normal(width_n, Mos.NMOS, ctx.temperature, ctx.tech)
    r_p = on_resistance_normal(width_p, Mos.PMOS, ctx.temperature, ctx.tech)
    return 1 / (1 / r_n + 1 / r_p)


class Mux:
    """Analog multiplexer (NeuroSim Mux, non-FPGA path) selecting one of `num_selection` columns per output.

    NeuroSim passes SubArray's `FPGA` member here, which is never assigned (uninitialised). In the compiled
    tool it reads as false (checked in a debugger on the default run), so the analog path is the one that
    runs; the digital FPGA mux is not modelled.
    """

    def __init__(self, ctx: CircuitContext, num_input: int, num_selection: int, res_tg: float):
        self.ctx = ctx
        self.num_input = num_input
        self.num_selection = num_selection
        # the TG resistance is a fraction of the load it switches (IR-drop budget)
        self.v21 = ctx.p.quirk("v21_mux_sizing")
        if self.v21:
            self.width_tg_n, self.width_tg_p, self.res_tg = v21_tg_sizing(ctx, res_tg * IR_DROP_TOLERANCE)
        else:
            self.width_tg_n, self.width_tg_p = sized_tg_widths(ctx, res_tg * IR_DROP_TOLERANCE, 1.0)
            self.res_tg = tg_resistance(ctx, self.width_tg_n, self.width_tg_p)
        self.cap_tg_gate_n = gate_cap(self.width_tg_n, ctx.tech)
        self.cap_tg_gate_p = gate_cap(self.width_tg_p, ctx.tech)
        self.cap_tg_drain = 0.0  # set by layout (depends on the folded TG height)
        self.area = self.height = self.width = 0.0
        self.leakage = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        tech = self.ctx.tech
        num_tg = self.num_input * self.num_selection
        if new_width and mode is Layout.NONE:
            num_rows, num_fold = tg_row_fold(new_width, num_tg, 1, tech)  # fold the TGs into rows of that width
            _, h_tg, _ = pass_gate_area(self.width_tg_n, self.width_tg_p, tech, num_fold)
            height, width = h_tg * num_rows, new_width
        else:
            _, h_tg, w_tg = pass_gate_area(self.width_tg_n, self.width_tg_p, tech, 1)
            height, width = h_tg, w_tg * num_tg
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        self.width_tg_shared = self.width / self.num_input
        _, self.cap_tg_drain = gate_capacitance(GateType.INV, 1, self.width_tg_n, self.width_tg_p, h_tg, tech)
        return fp

    def latency(self, cap_load: float, num_read: float) -> float:
        """Charging time to 90 % (2.3 RC) through the selected TG (V2.1: one of its devices, 2x), times num_read."""
        res = self.res_tg * 2 if self.v21 else self.res_tg
        tr = res * (self.cap_tg_drain + 0.5 * self.cap_tg_gate_n + 0.5 * self.cap_tg_gate_p + cap_load)
        return 2.3 * tr * num_read

    def energy(self, num_read: float) -> float:
        """Selected TGs switching OFF to ON (gate at Vdd, drains at the read voltage), times num_read."""
        vdd = self.ctx.tech.vdd
        v_read = self.ctx.cell.read_voltage_v
        energy = self.cap_tg_gate_n * self.num_input * vdd * vdd
        energy += (self.cap_tg_drain * 2) * self.num_input * v_read * v_read
        return energy * num_read
