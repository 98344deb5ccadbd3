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


def test_v21_sram_switch_matrix_gates_are_sized_for_a_quarter_of_the_line():
    """v21_switch_matrix_sizing: a switch matrix's TG widths (an SRAM array's word lines, an eNVM array's lines) from
    a 1 F device's effective on-resistance for 1/4 of the line's resistance, not held at 1 F, timed at that
    resistance."""
    from neurocim.circuits.constants import IR_DROP_TOLERANCE, LINEAR_REGION_RATIO
    from neurocim.circuits.drivers.switch_matrix import SwitchMatrix, SwitchMode
    from neurocim.circuits.gates.gates import Mos, on_resistance

    for res_line in (1e3, 1e7):  # a word line, and a load that V1.4 would hold at 1 F
        ctx = build_context(_chip())
        switch = SwitchMatrix(ctx, SwitchMode.ROW, 128, res_line, 1e9)
        f = ctx.tech.feature_size
        want = on_resistance(f, Mos.NMOS, ctx.temperature, ctx.tech) * f * LINEAR_REGION_RATIO / (res_line / 2)
        assert switch.res_tg == pytest.approx(res_line * IR_DROP_TOLERANCE)
        assert switch.width_tg_n == pytest.approx(want)
        v14 = SwitchMatrix(build_context(_chip(v21_switch_matrix_sizing=False)), SwitchMode.ROW, 128, res_line,
                           1e9)  # fmt: skip
        assert v14.width_tg_n >= f
    assert switch.width_tg_n < f  # the 10 MOhm load: far below 1 F in V2.1


def test_v21_activity_counts_over_the_rows_of_the_block():
    """v21_activity_over_block_rows: a vector driving 3 of a 27-row block's rows has activity 1/9 (V1.4: 3/128),
    so an SRAM read charges its word lines as if 1/9 of the sub-array's rows were driven."""
    from neurocim.arch.subarray.block_stats import iter_vector_stats
    from neurocim.arch.subarray.column_model import ColumnModel

    inputs = np.zeros((27, 1), dtype=np.uint8)
    inputs[:3] = 1
    for quirk, want in ((True, 3 / 27), (False, 3 / 128)):
        sa = _subarray(_chip(v21_activity_over_block_rows=quirk))
        model = ColumnModel.from_context(sa.ctx, sa.res_cell_access)
        (stats,) = iter_vector_stats(np.ones((27, 8)), inputs, model)
        assert stats.activity[0] == pytest.approx(want)


def test_v21_decoders_and_muxes_are_minimum_and_linear_region_sized():
    """v21_decoder_sizing: minimum gates and a 3x minimum driver; v21_mux_sizing: the mux TG from a 1 F device's
    effective on-resistance for 1/4 of its target (the SRAM access transistor over twice the rows), timed through
    one of its devices."""
    from neurocim.circuits.constants import IR_DROP_TOLERANCE, MIN_NMOS_SIZE
    from neurocim.circuits.drivers.mux import v21_tg_sizing

    sa = _subarray(_chip())
    f = sa.ctx.tech.feature_size
    mux, decoder = sa.mode.column_mux.mux, sa.mode.column_mux.decoder
    assert decoder.width_inv[0] == pytest.approx(MIN_NMOS_SIZE * f)
    assert decoder.width_driver[0] == pytest.approx(3 * MIN_NMOS_SIZE * f)
    target = sa.res_cell_access / sa.num_row / 2 * IR_DROP_TOLERANCE
    assert (mux.width_tg_n, mux.width_tg_p, mux.res_tg) == pytest.approx(v21_tg_sizing(sa.ctx, target))
    t = 2.3 * 2 * mux.res_tg * (mux.cap_tg_drain + 0.5 * mux.cap_tg_gate_n + 0.5 * mux.cap_tg_gate_p)
    assert mux.latency(0.0, 1) == pytest.approx(t)
    v14 = _subarray(_chip(v21_decoder_sizing=False, v21_mux_sizing=False)).mode.column_mux
    assert v14.decoder.width_inv[0] > decoder.width_inv[0]  # V1.4 grows the gates to the cell height


def test_v21_novel_tile_writes_its_nominal_width_past_its_share_of_the_columns():
    """wu_novel_tile_nominal_columns: 640 columns over two novel-mapped tiles of 512-column PEs, 320 each (the equal
    shares of novel_rows_position_major); V2.1 writes the first tile's PEs at 512 columns, four full sub-arrays each
    (the matrix's next columns standing in for what it reads past the share), where the faithful update writes the
    share's 2.5 sub-arrays."""
    layers = [Layer(8, 8, 128, 3, 3, 128)]
    rng = np.random.default_rng(5)
    new = rng.integers(-15, 16, size=(layers[0].rows, layers[0].out_channels)) / 16
    old = np.clip(new + rng.uniform(-0.4, 0.4, size=new.shape), -1, 1)
    found = {}
    for on in (True, False):
        chip = ChipModel(build_context(_chip(wu_novel_tile_nominal_columns=on)), layers)
        assert chip.fp.is_novel[0] and chip.fp.pe_size_nm == 512 and chip.ctx.p.cols_per_weight == 5
        update = WeightUpdate(chip, TrainingHardwareConfig(enabled=True))
        writes = update.block_writes(0, new, old)
        found[on] = ([w.writes.cols for w in writes], update.layer_from_writes(0, writes))
    (cols_on, on), (cols_off, off) = found[True], found[False]
    assert len(cols_on) == len(cols_off) == 9 * (4 + 1)  # per PE: four sub-array columns, then one in the second tile
    assert cols_on == [128] * 45
    assert cols_off == [128, 128, 64, 0] * 9 + [128] * 9
    assert on.serial_latency_s > off.serial_latency_s > 0 and on.peak_energy_j > off.peak_energy_j > 0
