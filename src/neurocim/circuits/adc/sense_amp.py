"""Voltage-mode latch sense amplifier (one per column) for SRAM sequential reads and SRAM buffers."""

from __future__ import annotations

import math
import warnings

from neurocim.circuits.base import Footprint, Layout, Reads, fit
from neurocim.circuits.constants import W_SENSE_EN, W_SENSE_ISO, W_SENSE_MUX, W_SENSE_N, W_SENSE_P
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    drain_cap,
    gate_area,
    gate_cap,
    gate_leakage,
    transconductance,
)
from neurocim.circuits.gates.gates_common import fin_factor


class SenseAmp:
    """Latch-type voltage sense amplifier per column; NeuroSim V1.4 SenseAmp model (voltage sensing only)."""

    def __init__(
        self, ctx: CircuitContext, num_col: int, sense_voltage: float, pitch: float, num_read_cell_per_operation: int
    ):
        tech = ctx.tech
        f = tech.feature_size
        self.ctx = ctx
        self.num_col = num_col
        self.sense_voltage = sense_voltage  # minimum sensible input swing (V)
        self.pitch = pitch  # the layout width available to one amplifier (m)
        self.num_read_cell_per_operation = num_read_cell_per_operation
        if pitch <= f * 6:
            warnings.warn("SenseAmp: pitch too small for the layout", stacklevel=2)
        k = fin_factor(ctx.tech)  # FinFET/GAA devices are drawn twice as wide
        self._scale = k
        # NeuroSim draws the devices rotated (height and width swapped); only the products matter here
        area = 0.0
        for w_n, w_p, count in ((0.0, W_SENSE_P, 2), (W_SENSE_N, 0.0, 2), (0.0, W_SENSE_ISO, 1), (W_SENSE_EN, 0.0, 1)):
            _, h, w = gate_area(GateType.INV, 1, k * w_n * f, k * w_p * f, pitch, tech)
            area += h * w * count
        self._natural_area = area * num_col
        self.cap_load = (
            gate_cap(k * (W_SENSE_P + W_SENSE_N) * f, tech)
            + drain_cap(k * W_SENSE_N * f, Mos.NMOS, pitch, tech)
            + drain_cap(k * W_SENSE_P * f, Mos.PMOS, pitch, tech)
            + drain_cap(k * W_SENSE_ISO * f, Mos.PMOS, pitch, tech)
            + drain_cap(k * W_SENSE_MUX * f, Mos.NMOS, pitch, tech)
        )
        idle = gate_leakage(GateType.INV, 1, k * W_SENSE_EN * f, 0.0, ctx.temperature, tech)
        self.leakage = idle * tech.vdd * num_col
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Total amplifier area fitted to a given width (or height); height and width stay 0 if neither is given."""
        area = self._natural_area
        height = width = 0.0
        if mode is Layout.NONE and new_width:
            width, height = new_width, area / new_width
        elif mode is Layout.NONE and new_height:
            height, width = new_height, area / new_height
        fp = fit(area, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, num_read: float = 1.0) -> float:
        """Sensing time (s): the latch regenerates from the sense swing to Vdd, times `num_read`."""
        tech = self.ctx.tech
        f = tech.feature_size
        k = self._scale
        gm = transconductance(k * W_SENSE_N * f, Mos.NMOS, tech) + transconductance(k * W_SENSE_P * f, Mos.PMOS, tech)
        tau = self.cap_load / gm
        return tau * math.log(tech.vdd / self.sense_voltage) * num_read

    def energy(self, num_read: Reads) -> Reads:
        """Read energy (J) of the amplifiers sensing per read, `num_read` times."""
        vdd = self.ctx.tech.vdd
        per_amp = self.cap_load * vdd * vdd
        return per_amp * (min(self.num_read_cell_per_operation, self.num_col) * num_read)
