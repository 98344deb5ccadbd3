"""compat neurosim_v21 on SRAM chips: V2.1's parallel read, its array wires and periphery, and its SRAM writes."""

from __future__ import annotations

import numpy as np
import pytest

from neurocim.arch.subarray.subarray import SubArray
from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.config.chip import ChipConfig
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.estimate import ChipModel, build_context
from neurocim.training_cost.weight_update import WeightUpdate
from neurocim.workload.network import Layer

SRAM = {"memcelltype": 1}


def _chip(**quirks: bool) -> ChipConfig:
    v21 = chip_from_v21_params(SRAM)
    return ChipConfig.model_validate({**v21.model_dump(), "quirks": quirks})


def _subarray(config: ChipConfig) -> SubArray:
    ctx = build_context(config)
    p = ctx.p
    return SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)


def _read(sa: SubArray, active: int):
    """Per-vector costs of a read with `active` of the rows driven (SRAM: the column resistance counts them)."""
    rows = sa.num_row
    res = np.full((1, sa.num_col), (sa.res_cell_access + sa.ctx.p.wire_resistance_col_ohm) / active)
    return sa.mode.vector_costs(np.array([active / rows]), res, 1e9, sa.ctx.p.read_levels)


def test_v21_sram_array_wires_carry_no_access_transistors():
    """v21_sram_array_parasitics: the word and bit lines are their wires alone (0.2 fF/um)."""
    v21, v14 = _subarray(_chip()).geometry, _subarray(_chip(v21_sram_array_parasitics=False)).geometry
    assert v21.cap_row1 == pytest.approx(v21.length_row * 0.2e-15 / 1e-6)
    assert v21.cap_col == pytest.approx(v21.length_col * 0.2e-15 / 1e-6)
    assert v14.cap_row1 > v21.cap_row1 and v14.cap_col > v21.cap_col


def test_v21_precharger_recharges_both_bit_lines_and_leaks_through_one_device():
    on, off = _subarray(_chip()).mode.sram_column, _subarray(_chip(v21_precharger=False)).mode.sram_column
    assert on is not None and off is not None
    cap = 1e-14
    per_line = cap * on.ctx.tech.vdd**2 * on.geo.num_col
    assert on.precharger.energy(cap, 3) == pytest.approx(2 * 3 * per_line)
    assert off.precharger.energy(cap, 3) == pytest.approx(3 * per_line)
    assert on.precharger.leakage < off.precharger.leakage


def test_v21_sram_parallel_read_counts_the_precharge_and_no_word_line_charging():
    """v21_sram_parallel_read: the ADC energy of a vector is the precharge of both bit lines of every muxed column,
    the sense amplifiers and the encoder; the array adds nothing, so the ADC energy does not grow with the rows
    driven beyond the sense amplifiers' own."""
    sa = _subarray(_chip())
    mode, ncm = sa.mode, sa.mode.cols_muxed
    assert mode.v21_sram and mode.sram_column is not None and mode.adc.encoder is not None
    cost = _read(sa, 64)
    res = np.full((1, sa.num_col), (sa.res_cell_access + sa.ctx.p.wire_resistance_col_ohm) / 64)
    sense = mode.read_timing.read_energy(res, mode.read_timing.read_latency(res))
    want = mode.sram_column.precharge_energy(ncm) + float(np.ravel(sense)[0]) + mode.adc.encoder.energy(ncm)
    assert float(np.ravel(cost.energy_adc)[0]) == pytest.approx(want)
    e_weight, e_input = mode.shift_adders.energies(ncm, ncm // sa.ctx.p.cols_per_weight)
    assert float(np.ravel(cost.energy_accum)[0]) == pytest.approx(e_weight + e_input)
    faithful = _subarray(_chip(v21_sram_parallel_read=False))
    assert not faithful.mode.v21_sram
    assert float(np.ravel(_read(faithful, 64).energy)[0]) != pytest.approx(float(np.ravel(cost.energy)[0]))


def _update(quirks: dict[str, bool], rows: int = 4):
    layer = Layer(4, 4, rows, 1, 1, 16)
    rng = np.random.default_rng(5)
    new = rng.integers(-15, 16, size=(layer.rows, layer.out_channels)) / 16
    old = np.clip(new + rng.uniform(-0.4, 0.4, size=new.shape), -1, 1)
    chip = ChipModel(build_context(_chip(**quirks)), [layer])
    update = WeightUpdate(chip, TrainingHardwareConfig(enabled=True))
    return chip, update, update.layer(0, new, old)


def test_v21_sram_write_clocks_the_scan_register_of_the_forward_read():
    """wu_sram_write_counts_scan_register: every written SRAM sub-array adds its word-line register clocked
    cols_muxed times: that many half clock periods per written sub-array, that register energy per written copy."""
    chip, _, on = _update({})
    _, _, off = _update({"wu_sram_write_counts_scan_register": False})
    p, sa = chip.ctx.p, chip.tile_cm.pe.subarray
    switch = sa.mode.wl_switch
    arrays = (on.serial_latency_s - off.serial_latency_s) / switch.dff.latency(p.cols_muxed, sa.clk_freq)
    assert arrays >= 1 and arrays == pytest.approx(round(arrays), rel=1e-6)
    per_array = switch.dff.energy(p.cols_muxed, switch.num_output, False)
    copies = (on.peak_energy_j - off.peak_energy_j) / per_array  # every duplicate of a written sub-array
    assert copies >= arrays and copies == pytest.approx(round(copies), rel=1e-6)


def test_v21_sram_write_applies_the_block_activity_to_the_whole_sub_array():
    """wu_write_activity_over_block: a 4-row block writes its fraction of written rows over all the sub-array's rows
    (the faithful count: the rows it writes), so a partly filled sub-array writes longer."""
    _, update, on = _update({})
    _, _, off = _update({"wu_write_activity_over_block": False})
    assert on.serial_latency_s > off.serial_latency_s > 0
    assert on.peak_energy_j > off.peak_energy_j > 0
    _, _, unset = _update({"wu_sram_write_activity_unset": False})
    assert unset.peak_energy_j > on.peak_energy_j  # the written cells' bit lines recharged
