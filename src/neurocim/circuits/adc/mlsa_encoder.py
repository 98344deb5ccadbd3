"""Thermometer-to-binary encoder behind the multilevel sense amplifier (NeuroSim V1.4 MultilevelSAEncoder)."""

from __future__ import annotations

import math

import numpy as np

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    gate_area,
    gate_capacitance,
    gate_capacitance_gaa,
    gate_leakage,
    on_resistance,
)
from neurocim.circuits.logic.adder import NAND2_GAA_TUNING, gaa_special, gaa_tuned_node, stage_delay
from neurocim.circuits.logic.dff import INV_GAA_TUNING

INV_PER_LEVEL_LEAKAGE = 5


class MlsaEncoder:
    """`num_encoder` encoders of `num_level` sense levels: INV + NAND2 per level and ceil(log2 L) wide NANDs."""

    def __init__(self, ctx: CircuitContext, num_level: int, num_encoder: int) -> None:
        self.ctx = ctx
        self.num_level = int(num_level)
        self.num_encoder = int(num_encoder)
        self.num_input = self.num_level // 2  # levels are a power of two
        self.num_gate = math.ceil(math.log2(self.num_level))
        tech = ctx.tech
        f = tech.feature_size
        region = f * MAX_TRANSISTOR_HEIGHT
        # not enlarged, to keep the dynamic energy low
        self.width_inv_n = MIN_NMOS_SIZE * f
        self.width_inv_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        self.width_nand_n = 4 * MIN_NMOS_SIZE * f
        self.width_nand_p = 2 * tech.pn_size_ratio * MIN_NMOS_SIZE * f
        nand = (GateType.NAND, 2, self.width_nand_n, self.width_nand_p)
        inv = (GateType.INV, 1, self.width_inv_n, self.width_inv_p)
        wide_nand = (GateType.NAND, self.num_input, self.width_nand_n, self.width_nand_p)
        nand_area = (GateType.NAND, 2, MIN_NMOS_SIZE * f, MIN_NMOS_SIZE * f) if gaa_special(ctx) else nand
        _, h_nand, w_nand = gate_area(*nand_area, region, tech)
        _, h_inv, w_inv = gate_area(*inv, region, tech)
        _, h_wide, w_wide = gate_area(*wide_nand, region, tech)
        self.w_encoder = w_inv + w_nand + w_wide  # the latch inverters are counted in the sense amplifier
        self.h_encoder = (
            (w_inv * h_inv + w_nand * h_nand) * (self.num_level - 1) + w_wide * self.num_gate * h_wide
        ) / self.w_encoder
        node = gaa_tuned_node(ctx)
        if node is not None:
            min_w = MIN_NMOS_SIZE * f
            self.cap_inv_input, self.cap_inv_output = gate_capacitance_gaa(
                GateType.INV, 1, min_w, min_w, h_inv, tech, *INV_GAA_TUNING[node]
            )
            self.cap_nand_input, self.cap_nand_output = gate_capacitance_gaa(
                GateType.NAND, 2, min_w, min_w, h_nand, tech, *NAND2_GAA_TUNING[node]
            )
        else:
            self.cap_inv_input, self.cap_inv_output = gate_capacitance(*inv, h_inv, tech)
            self.cap_nand_input, self.cap_nand_output = gate_capacitance(*nand, h_nand, tech)
        self.cap_wide_nand_input, self.cap_wide_nand_output = gate_capacitance(*wide_nand, h_wide, tech)
        self.leakage = self._leakage(node)
        self.area = self.height = self.width = 0.0

    def _leakage(self, node: int | None) -> float:
        ctx, tech = self.ctx, self.ctx.tech
        vdd, temp, levels = tech.vdd, ctx.temperature, self.num_level - 1
        leakage = (
            gate_leakage(GateType.NAND, 2, self.width_nand_n, self.width_nand_p, temp, tech)
            * vdd
            * levels
            * self.num_encoder
            + gate_leakage(GateType.NAND, self.num_input, self.width_nand_n, self.width_nand_p, temp, tech)
            * vdd
            * self.num_gate
            * self.num_encoder
        )
        inv = gate_leakage(GateType.INV, 1, self.width_inv_n, self.width_inv_p, temp, tech)
        inv = inv * vdd * INV_PER_LEVEL_LEAKAGE * levels * self.num_encoder
        if node is not None:
            inv = inv * INV_GAA_TUNING[node][0]
        return leakage + inv

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Encoders in rows of the given width or columns of the given height."""
        height = width = 0.0
        if new_width and mode is Layout.NONE:
            per_row = min(int(math.ceil(new_width / self.w_encoder)), self.num_encoder)
            width = new_width if new_width > self.w_encoder else self.w_encoder
            height = self.h_encoder * math.ceil(self.num_encoder / per_row)
        elif new_height and mode is Layout.NONE:
            per_col = min(int(math.ceil(new_height / self.h_encoder)), self.num_encoder)
            height = new_height if new_height > self.h_encoder else self.h_encoder
            width = self.w_encoder * math.ceil(self.num_encoder / per_col)
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def delay(self, ramp_input: float) -> tuple[float, float]:
        """Delay (s) of one encoding (INV -> NAND2 -> wide NAND) and the output ramp (1/s)."""
        ctx, tech, temp = self.ctx, self.ctx.tech, self.ctx.temperature
        r_inv = on_resistance(self.width_inv_n, Mos.NMOS, temp, tech)
        load = self.cap_inv_output + 2 * self.cap_nand_input
        d1, ramp = stage_delay(ctx, r_inv, self.width_inv_n, Mos.NMOS, load, ramp_input)
        r_nand = on_resistance(self.width_nand_n, Mos.NMOS, temp, tech) * 2
        if gaa_special(ctx):
            r_nand = r_nand * 3.0 / 2.0
        load = self.cap_nand_output + self.cap_wide_nand_input * self.num_input
        d2, ramp = stage_delay(ctx, r_nand, self.width_nand_n, Mos.NMOS, load, ramp)
        latency = 0.0
        latency += d1
        latency += d2
        return latency, ramp

    def latency(self, ramp_input: float, num_read: float) -> float:
        """Latency (s) of `num_read` encodings."""
        return self.delay(ramp_input)[0] * num_read

    def ramp_output(self, ramp_input: float) -> float:
        return self.delay(ramp_input)[1]

    def energy(self, num_read: float | np.ndarray) -> float:
        """NeuroSim V1.4 neglects the encoder switching energy next to the sense amplifier's: always 0 J."""
        return 0.0
