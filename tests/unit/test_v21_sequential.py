"""NeuroSim V2.1's conventional sequential read (operationmode 1, quirk v21_sequential_read) of an eNVM sub-array."""

from __future__ import annotations

import numpy as np
import pytest

from neurocim.arch.subarray.subarray import SubArray
from neurocim.arch.subarray.subarray_common import BIG_RAMP, adder_step
from neurocim.circuits.adc.mlsa_timing_v21 import chip_read_law
from neurocim.circuits.gates.gates import Mos, minimum_widths, on_resistance
from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context, estimate
from neurocim.training_cost.backprop import TransposedReadout
from neurocim.training_cost.forward import forward_phase, training_chip
from neurocim.training_cost.weight_update import WeightUpdate
from neurocim.training_cost.write_pulses import RowWrites
from tests.v21_support import small_workload


def _sequential(quirks: dict[str, bool] | None = None) -> SubArray:
    chip = chip_from_v21_params({"operationmode": 1})
    if quirks:
        chip = ChipConfig.model_validate({**chip.model_dump(), "quirks": quirks})
    ctx = build_context(chip)
    return SubArray(ctx, ctx.p.chip.array.rows, ctx.p.chip.array.cols, ctx.p.wires.unit_resistance, 1e9)


def _reads(sub: SubArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(activity, per-cell column resistances, per-vector costs) of a few vectors, one with no active row."""
    p = sub.ctx.p
    rng = np.random.default_rng(11)
    r = p.chip.cell.r_on_ohm * rng.uniform(1.0, 60.0, size=(5, p.chip.array.cols))
    r[2] = np.nan  # no active row: V2.1's 0/0 conductance
    act = np.array([0.25, 0.5, 0.0, 1.0, 0.125])
    return act, r, sub.vector_reads(act, r, 1e9)


def test_each_row_converts_every_muxed_column_in_one_cells_sense_amp_time():
    sub = _sequential()
    mode, p = sub.mode, sub.ctx.p
    act, r, got = _reads(sub)
    law = chip_read_law(p, 2**p.cell_bits, 1)
    assert mode.read_timing == law
    reads = act * p.chip.array.rows * sub.cols_muxed
    encode = mode.adc.encoder.latency(BIG_RAMP, 1)
    assert got[:, 1] == pytest.approx((law.read_latency(r) + encode) * reads, rel=1e-12)
    assert got[2, 1] == 0.0 and np.isfinite(got).all() and (got >= 0).all()
    assert _sequential({"v21_sequential_read": False}).mode.read_timing is None


def test_the_row_adders_and_shift_adds_follow_the_conversions():
    """V2.1 adds the row adders' and their registers' time per read and the input shift-add once per muxed column,
    where V1.4 hides them under the conversions (an idle vector still shifts its input bit)."""
    sub = _sequential()
    mode, p = sub.mode, sub.ctx.p
    act, _, got = _reads(sub)
    reads = act * p.chip.array.rows * sub.cols_muxed
    step = adder_step(mode.adder, mode.dff.cap_tg_drain) + 0.5e-9
    shift = mode.shift_adders.inputs.latency(sub.cols_muxed, 1e9)
    assert got[:, 2] == pytest.approx(step * reads + shift, rel=1e-12)
    assert mode.adder.num_bit == mode.adder_bits  # the full count width, one bit over V1.4's
    plain = _sequential({"v21_sequential_read": False})
    assert plain.mode.adder.num_bit == mode.adder_bits - 1
    overlapped = _reads(plain)[2][:, 2]
    assert (overlapped < got[:, 2]).all()  # V1.4 hides most of them under the conversions


def test_the_converters_energy_counts_in_the_adc_share_only():
    sub = _sequential()
    mode = sub.mode
    act, r, got = _reads(sub)
    rows = act * sub.ctx.p.chip.array.rows
    sense = mode.read_timing.read_energy(r, mode.read_timing.read_latency(r)) * rows
    encode = mode.adc.encoder.energy(rows * sub.cols_muxed)
    assert got[:, 4] + sense + encode == pytest.approx(got[:, 5:].sum(axis=1), rel=1e-12)
    plain = _reads(_sequential({"v21_sequential_read": False}))[2]
    assert plain[:, 4] == pytest.approx(plain[:, 5:].sum(axis=1), rel=1e-12)


@pytest.mark.parametrize("mode", [1, 2])
def test_the_forward_peak_energy_is_the_layers_less_its_data_movement(mode):
    """The peak (compute-only) forward energy is the layer's read energy less buffer and interconnect: the shares'
    sum in parallel read, less than it in V2.1's sequential read, whose converters count in the ADC share only."""
    report = estimate(chip_from_v21_params({"operationmode": mode}), small_workload())
    for record, fw in zip(report.layers, forward_phase(report), strict=True):
        en = record.energy_breakdown_j
        assert fw.peak.energy_j == pytest.approx(record.dynamic_energy_j - en.buffer - en.interconnect, rel=1e-12)
        shares = fw.energy_j.adc + fw.energy_j.accumulation + fw.energy_j.other
        if mode == 2:
            assert fw.peak.energy_j == pytest.approx(shares, rel=1e-9)
        else:
            assert 0 < fw.peak.energy_j < shares


def test_the_bit_line_settles_through_the_mean_of_an_on_and_an_off_cell():
    v21, plain = _sequential(), _sequential({"v21_sequential_read": False})
    geo = v21.mode.geo
    assert v21.mode.col_delay() == pytest.approx(geo.cap_col * (geo.res_mem_cell_on + geo.res_mem_cell_off) * 0.1)
    assert plain.mode.col_delay() == pytest.approx(geo.cap_col * geo.res_mem_cell_avg * 0.2)


def test_a_sequential_array_writes_through_its_row_decoder_and_wl_driver():
    """A sequential 1T1R array has no WL switch matrix: its update selects the written rows through the row decoder
    and WL driver (the write voltage on the pass gate) and the columns through the source-line switch matrix."""
    chip = chip_from_v21_params({"operationmode": 1})
    model = training_chip(chip, small_workload())
    update = WeightUpdate(model, chip.training)
    mode = update.subarray.mode
    writes = RowWrites(rows=64, cols=128, set_pulses=90, reset_pulses=40, rows_set=30, rows_reset=10, cols_set=5,
                       cols_reset=3, cell_pulse_power_w=0.0, cell_switch_energy_j=0.0)  # fmt: skip
    latency, pulses, energy, _ = update.subarray_terms(writes, first_layer=True)
    n = update._num_writes(writes)
    v_w = update.cell.write_voltage_v
    rows = mode.wl_decoder.write_energy(n) + mode.wl_new_driver.energy(n, v_w)
    assert rows > mode.wl_new_driver.energy(n)  # the write voltage, not the read voltage, on the pass gate
    lines = update._line_energy(writes)[0] + update._scan_registers(writes, True)  # the array's lines, as ever
    assert energy == pytest.approx(rows + update._column_switch_energy(mode.sl_switch, writes, n) + lines, rel=1e-12)
    assert latency >= mode.row_decode_latency() * n > 0 and pulses == 130


def test_the_v21_wl_decoder_driver_is_drawn_at_minimum_size():
    """V2.1's WL decoder driver keeps its gates at minimum size and its pass gates' saturated on-resistance (quirk
    v21_decoder_sizing): less leakage, a slower row select than V1.4's gates grown to the standard cell."""
    v21, grown = _sequential(), _sequential({"v21_decoder_sizing": False})
    tech = v21.ctx.tech
    driver = v21.mode.wl_new_driver
    assert driver.width_nand == minimum_widths(tech, 2) and driver.width_inv == driver.width_tg == minimum_widths(tech)
    assert driver.leakage < grown.mode.wl_new_driver.leakage
    assert v21.mode.row_decode_latency() > grown.mode.row_decode_latency()
    res_n = on_resistance(driver.width_tg[0], Mos.NMOS, v21.ctx.temperature, tech)
    res_p = on_resistance(driver.width_tg[1], Mos.PMOS, v21.ctx.temperature, tech)
    assert driver.res_tg == pytest.approx(1 / (1 / res_n + 1 / res_p))


def test_a_sequential_arrays_read_out_settles_its_row_through_one_cell():
    """The row-by-row transposed read of a sequential array settles each row through the one cell driven; a
    parallel-read array's, through half its columns."""
    chip = chip_from_v21_params({"operationmode": 1})
    parallel = chip_from_v21_params({})
    row_by_row = parallel.training.backprop.model_copy(update={"parallel": False})
    ctx_s, ctx_p = build_context(chip), build_context(parallel)
    one = TransposedReadout(ctx_s, chip.training)
    half = TransposedReadout(ctx_p, parallel.training.model_copy(update={"backprop": row_by_row}))
    assert not one.parallel and not half.parallel
    assert one._line_delay(8) == pytest.approx(half._line_delay(8) * ctx_p.p.chip.array.cols / 2, rel=1e-12)
