"""NeuroSim V2.1's older thermometer-to-binary encoder behind the multilevel sense amplifier (compat neurosim_v21)."""

from __future__ import annotations

import math

from neurocim.circuits.adc.mlsa_encoder import MlsaEncoder
from neurocim.circuits.base import Footprint, Layout, Reads, fit
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    gate_area,
    gate_capacitance,
    gate_leakage,
    horowitz,
    on_resistance,
    transconductance,
)


class MlsaEncoderV21:
    """`num_encoder` encoders of `num_level` levels as V2.1 sizes them: minimum INVs, 2x NAND2s and ceil(log2 L)
    wide NANDs; each level and each output bit switches an INV and a NAND2, each output bit a wide NAND."""

    def __init__(self, ctx: CircuitContext, num_level: int, num_encoder: int) -> None:
        self.ctx = ctx
        self.num_level = int(num_level)
        self.num_encoder = int(num_encoder)
        self.num_input = math.ceil(self.num_level / 2)
        self.num_gate = math.ceil(math.log2(self.num_level))
        tech = ctx.tech
        f = tech.feature_size
        region = f * MAX_TRANSISTOR_HEIGHT
        self.width_inv_n = MIN_NMOS_SIZE * f
        self.width_inv_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        self.width_nand_n = 2 * MIN_NMOS_SIZE * f
        self.width_nand_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        inv = (GateType.INV, 1, self.width_inv_n, self.width_inv_p)
        nand = (GateType.NAND, 2, self.width_nand_n, self.width_nand_p)
        wide = (GateType.NAND, self.num_input, self.width_nand_n, self.width_nand_p)
        _, h_inv, w_inv = gate_area(*inv, region, tech)
        _, h_nand, w_nand = gate_area(*nand, region, tech)
        _, h_wide, w_wide = gate_area(*wide, region, tech)
        self.w_encoder = 2 * w_inv + w_nand + w_wide
        self.h_encoder = max((self.num_level - 1) * h_inv, (self.num_level - 1) * h_nand)
        self.cap_inv_input, self.cap_inv_output = gate_capacitance(*inv, h_inv, tech)
        self.cap_nand_input, self.cap_nand_output = gate_capacitance(*nand, h_nand, tech)
        self.cap_wide_input, self.cap_wide_output = gate_capacitance(*wide, h_wide, tech)
        switching = self.num_level + self.num_gate
        temp, vdd = ctx.temperature, tech.vdd
        self.leakage = self.num_encoder * vdd * (
            (gate_leakage(*inv, temp, tech) + gate_leakage(*nand, temp, tech)) * switching
            + gate_leakage(*wide, temp, tech) * self.num_gate
        )
        per_read = (self.cap_inv_input + self.cap_inv_output + self.cap_nand_input + self.cap_nand_output) * switching
        per_read += (self.cap_wide_input + self.cap_wide_output) * self.num_gate
        self.energy_per_read = per_read * vdd * vdd * self.num_encoder
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Encoders in rows of the given width or columns of the given height."""
        height = width = 0.0
        if new_width and mode is Layout.NONE:
            per_row = min(int(math.ceil(new_width / self.w_encoder)), self.num_encoder)
            width = max(new_width, self.w_encoder)
            height = self.h_encoder * math.ceil(self.num_encoder / per_row)
        elif new_height and mode is Layout.NONE:
            per_col = min(int(math.ceil(new_height / self.h_encoder)), self.num_encoder)
            height = max(new_height, self.h_encoder)
            width = self.w_encoder * math.ceil(self.num_encoder / per_col)
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def delay(self, ramp_input: float) -> tuple[float, float]:
        """Delay (s) of one encoding and the output ramp (1/s). V2.1 adds only the INV -> NAND2 and NAND2 -> wide
        NAND stages to the latency; the wide NAND -> INV and output INV stages shape only the output ramp."""
        tech, temp = self.ctx.tech, self.ctx.temperature
        stages = (
            (on_resistance(self.width_inv_n, Mos.NMOS, temp, tech) * 2, self.width_nand_n, Mos.NMOS,
             self.cap_inv_output + 2 * self.cap_nand_input),
            (on_resistance(self.width_nand_p, Mos.PMOS, temp, tech), self.width_nand_p, Mos.PMOS,
             self.cap_nand_output + self.cap_wide_input * self.num_input),
            (on_resistance(self.width_nand_n, Mos.NMOS, temp, tech) * 2, self.width_nand_n, Mos.NMOS,
             self.cap_wide_output + self.cap_inv_input),
            (on_resistance(self.width_inv_p, Mos.PMOS, temp, tech), self.width_nand_p, Mos.PMOS, self.cap_inv_output),
        )  # fmt: skip
        latency, ramp = 0.0, ramp_input
        for i, (resistance, gm_width, mos, cap) in enumerate(stages):
            delay, ramp = horowitz(resistance * cap, 1 / (resistance * transconductance(gm_width, mos, tech)), ramp)
            latency += delay if i < 2 else 0.0
        return latency, ramp

    def latency(self, ramp_input: float, num_read: float) -> float:
        """Latency (s) of `num_read` encodings."""
        return self.delay(ramp_input)[0] * num_read

    def ramp_output(self, ramp_input: float) -> float:
        return self.delay(ramp_input)[1]

    def energy(self, num_read: Reads) -> Reads:
        """Switching energy (J) of `num_read` encodings by every encoder."""
        return self.energy_per_read * num_read


def mlsa_encoder(ctx: CircuitContext, num_level: int, num_encoder: int) -> MlsaEncoder | MlsaEncoderV21:
    """The encoders behind `num_encoder` multilevel sense amplifiers of `num_level` levels: V2.1's older ones under
    the quirk v21_mlsa_encoder, else NeuroSim V1.4's."""
    kind = MlsaEncoderV21 if ctx.p.quirk("v21_mlsa_encoder") else MlsaEncoder
    return kind(ctx, num_level, num_encoder)
