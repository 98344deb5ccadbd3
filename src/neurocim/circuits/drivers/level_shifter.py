"""Level shifter that lifts row/column drive signals to the eNVM write voltage (area only in inference)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    gate_area,
    gate_cap,
    gate_capacitance,
    horowitz,
    on_resistance,
    transconductance,
)

# Device widths of the low-voltage input stage, the latch and the high-voltage pull-up, in min-size units (N, P).
_LOW = (15, 20)
_LATCH = (32, 10)
_HIGH = (64, 82)


class LevelShifter:
    """One shifter per output line; NeuroSim V1.4 LevelShifter model (read path only; it models no leakage)."""

    def __init__(self, ctx: CircuitContext, num_output: int, activity_row_read: float):
        tech = ctx.tech
        f = tech.feature_size
        self.ctx = ctx
        self.num_output = num_output
        self.activity_row_read = activity_row_read
        self.width_n = MIN_NMOS_SIZE * f
        self.width_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        wn, wp = self.width_n, self.width_p
        if ctx.p.chip.calibration.validated:
            # calibrated layout: doubled widths, 2.5x cell height; latch and pull-up are long-channel IO devices
            cell_height = f * MAX_TRANSISTOR_HEIGHT * 2.5
            _, h_low, w_low = gate_area(GateType.INV, 1, wn * _LOW[0] * 2, wp * _LOW[1] * 2, cell_height, tech)
            _, h_latch, w_latch = gate_area(GateType.INV, 1, wn * _LATCH[0] * 2, wp * _LATCH[1] * 2, cell_height, tech)
            _, h_high, w_high = gate_area(GateType.INV, 1, wn * _HIGH[0] * 2, wp * _HIGH[1] * 2, cell_height, tech)
            unit_width = w_low + (2 * w_latch + w_high) * 2.5
            unit_height = max(max(h_low, h_latch), h_high)
            self._area = unit_height * unit_width * num_output * ctx.p.alpha  # alpha: wiring overhead
        else:
            cell_height = f * MAX_TRANSISTOR_HEIGHT
            _, h_low, w_low = gate_area(GateType.INV, 1, wn * _LOW[0], wp * _LOW[1], cell_height, tech)
            _, h_latch, w_latch = gate_area(GateType.INV, 1, wn * _LATCH[0], wp * _LATCH[1], cell_height, tech)
            _, h_high, w_high = gate_area(GateType.INV, 1, wn * _HIGH[0], wp * _HIGH[1], cell_height, tech)
            unit_width = w_low + 2 * w_latch + w_high
            unit_height = max(max(h_low, h_latch), h_high)
            self._area = unit_height * unit_width * num_output
        # the capacitances use the nominal widths even in the calibrated layout
        self.cap_mid_gate_n = gate_cap(wn * _LATCH[0], tech)
        self.cap_low_drain = gate_capacitance(GateType.INV, 1, wn * _LOW[0], wp * _LOW[1], h_low, tech)[1]
        self.cap_high_drain = gate_capacitance(GateType.INV, 1, wn * _HIGH[0], wp * _HIGH[1], h_high, tech)[1]
        self.leakage = 0.0
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Stack the shifters along a given width or height (NeuroSim accepts no other layout)."""
        if mode is not Layout.NONE or not (new_width or new_height):
            raise ValueError("LevelShifter.layout needs new_width or new_height with Layout.NONE")
        area = self._area
        if new_width:
            height, width = area / new_width, new_width
        else:
            height, width = new_height, area / new_height
        self.area, self.height, self.width = area, height, width
        return Footprint(area, height, width)

    def latency(self, cap_load: float, num_read: float = 1.0) -> float:
        """Delay (s) of the low-voltage pull-up then the high-voltage pull-up into `cap_load`, times `num_read`."""
        tech = self.ctx.tech
        t = self.ctx.temperature
        w_low_p = self.width_p * _LOW[1]
        res = on_resistance(w_low_p, Mos.PMOS, t, tech)
        tr = res * (self.cap_low_drain + self.cap_mid_gate_n * 2)
        first, _ = horowitz(tr, 1 / (res * transconductance(w_low_p, Mos.PMOS, tech)), 1e20)
        w_high_p = self.width_p * _HIGH[1]
        res = on_resistance(w_high_p, Mos.PMOS, t, tech)
        tr = res * (cap_load + self.cap_high_drain)
        second, _ = horowitz(tr, 1 / (res * transconductance(w_high_p, Mos.PMOS, tech)), 1e20)
        return (first + second) * num_read

    def energy(self, num_read: float) -> float:
        """Read energy (J): only the low-voltage stage switches during reads."""
        vdd = self.ctx.tech.vdd
        per_read = (self.cap_low_drain + self.cap_mid_gate_n * 2) * vdd * vdd * self.num_output * self.activity_row_read
        return per_read * num_read
