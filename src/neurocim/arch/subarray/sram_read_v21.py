"""NeuroSim V2.1's conventional-parallel SRAM read (quirk v21_sram_parallel_read): latency and energy per vector."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from neurocim.arch.subarray.subarray_common import BIG_RAMP, VectorCosts
from neurocim.circuits.gates.gates import Mos, horowitz, on_resistance, transconductance

if TYPE_CHECKING:
    from neurocim.arch.subarray.subarray_geometry import ArrayGeometry
    from neurocim.arch.subarray.subarray_parallel import ParallelArray
    from neurocim.circuits.context import CircuitContext


def word_line_latency(array: ParallelArray, reads: float, clk_freq: float) -> tuple[float, float]:
    """(delay s, output ramp 1/s) of the word-line switch matrix over `reads` selections: its TG charging three
    drain loads and the bare word line, plus half a clock of its scan register per selection."""
    geo, switch = array.geo, array.wl_switch
    assert switch is not None
    tr = switch.res_tg * (switch.cap_tg_drain * 3 + geo.cap_row1) + geo.res_row * geo.cap_row1 / 2
    delay, ramp = horowitz(tr, 0.0, BIG_RAMP)
    return delay * reads + switch.dff.latency(reads, clk_freq), ramp


def bit_line_delay(array: ParallelArray, ramp_input: float) -> float:
    """One bit line discharged through a cell (access + pull-down) to half the sense margin (s), once per vector."""
    return line_discharge_delay(array.ctx, array.geo, array.geo.cap_col, array.geo.res_col, ramp_input)


def line_discharge_delay(
    ctx: CircuitContext, geo: ArrayGeometry, cap_line_f: float, res_line_ohm: float, ramp_input: float
) -> float:
    """A read line of `cap_line_f` behind `res_line_ohm` discharged through one cell (access + pull-down) to half
    the sense margin (s): V2.1's lumped form, the whole line's capacitance behind the cell."""
    tech, cell, f = ctx.tech, ctx.cell, ctx.tech.feature_size
    res_pull_down = on_resistance(cell.nmos_width_f * f, Mos.NMOS, ctx.temperature, tech)
    tau = (geo.res_cell_access + res_pull_down) * (geo.cap_cell_access + cap_line_f) + res_line_ohm * cap_line_f / 2
    tau *= math.log(tech.vdd / (tech.vdd - cell.min_sense_voltage_v / 2))
    beta = 1 / (res_pull_down * transconductance(geo.width_access_cmos * f, Mos.NMOS, tech))
    return horowitz(tau, beta, ramp_input)[0]


def fixed_latency(array: ParallelArray, clk_freq: float) -> tuple[float, float, float]:
    """(ADC, accumulation, other) latency (s) of one vector, the sense amplifiers at their fixed conversion time:
    the muxed columns precharged and converted one after another, the bit line settling once, the shift-adds after
    them (none hidden), the word lines or the mux (its time spread over the input bits), whichever is slower."""
    p, ncm = array.ctx.p, array.cols_muxed
    column = array.sram_column
    assert column is not None
    t_wl, ramp = word_line_latency(array, ncm, clk_freq)
    t_mux = array.column_mux.latency() * ncm / p.chip.precision.input_bits
    other = max(t_wl, t_mux)
    adc = column.precharge_latency() * ncm + bit_line_delay(array, ramp) + array.adc.latency() * ncm
    accum = 0.0
    weight, inputs = array.shift_adders.weight, array.shift_adders.inputs
    if weight is not None:
        accum += weight.latency(ncm, array.clk_freq)
    if inputs is not None:
        accum += inputs.latency(ncm // p.cols_per_weight, array.clk_freq)
    return adc, accum, other


def vector_costs(
    array: ParallelArray, act: np.ndarray, e_adc: float | np.ndarray, clk_freq: float, read_s: np.ndarray | None
) -> VectorCosts:
    """Per-vector costs: `e_adc` the sense amplifiers' energy of every vector, `read_s` their conversion time (V2.1's
    law) or None for the fixed one. Energy: the word-line switches, both bit lines of every muxed column recharged,
    the encoder, the mux and its decoder spread over the input bits, the weight shift-add at every muxed column;
    the array itself costs nothing (its lines are counted by the precharger and the switches)."""
    p, ncm = array.ctx.p, array.cols_muxed
    column, switch = array.sram_column, array.wl_switch
    assert column is not None and switch is not None
    e_row = switch.energy(ncm, act)
    e_pre = column.precharge_energy(ncm)
    e_enc = array.adc.encoder.energy(ncm) if array.adc.encoder is not None else 0.0
    e_mux, e_dec = array.column_mux.energies(ncm)
    e_select = (e_mux + e_dec) / p.chip.precision.input_bits
    e_weight, e_input = array.shift_adders.energies(ncm, ncm // p.cols_per_weight)
    lat_adc: float | np.ndarray
    lat_adc, lat_accum, lat_other = fixed_latency(array, clk_freq)
    if read_s is not None and array.adc.flash is not None:
        lat_adc = lat_adc + (read_s - array.adc.flash.latency(1, 1)) * ncm
    energy_adc = e_pre + e_adc + e_enc
    return VectorCosts(
        latency_adc=lat_adc,
        latency_accum=lat_accum,
        latency_other=lat_other,
        energy=energy_adc + e_weight + e_input + e_row + e_select,
        energy_adc=energy_adc,
        energy_accum=e_weight + e_input,
        energy_other=e_row + e_select,
    )
