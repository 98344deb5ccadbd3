"""NeuroSim V2.1's counts and sizes of the forward read's periphery (compat neurosim_v21), each against V1.4's."""

from __future__ import annotations

import math

import pytest

from neurocim.arch.cost import Cost
from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.compat.param_cpp_v21_training import training_from_v21_params
from neurocim.config.chip import ChipConfig
from neurocim.estimate import ChipModel, build_context
from neurocim.training_cost.backprop import TransposedReadout
from neurocim.workload.network import Layer

LAYERS = (
    Layer(32, 32, 3, 3, 3, 128, name="conv0"),
    Layer(32, 32, 128, 3, 3, 128, pooled=True, name="conv1"),
    Layer(1, 1, 8192, 1, 1, 1024, name="fc"),
)


def _chip(**quirks: bool) -> ChipConfig:
    return ChipConfig.model_validate({**chip_from_v21_params({}).model_dump(), "quirks": quirks})


def _model(**quirks: bool) -> ChipModel:
    return ChipModel(build_context(_chip(**quirks)), LAYERS)


def test_tile_and_chip_accumulation_trees():
    """V2.1 gives a novel tile one adder tree per muxed column of a sub-array per PE (9 x 128 / 8), and the chip's
    accumulation one per column of a novel tile's PE grid (3 x PE size / 8); V1.4 one per PE column (PE size / 8)."""
    v21, v14 = _model(), _model(v21_tile_accumulation_trees=False, v21_chip_throughput_pe_grid=False)
    fp = v21.fp
    assert fp.num_pe_nm == 9 and fp.pe_size_nm > 128
    assert v21.tile_nm.accumulation.num_adder_tree == 9 * 128 // 8
    assert v14.tile_nm.accumulation.num_adder_tree == fp.pe_size_nm // 8
    assert v21.periphery.accumulation.num_adder_tree == max(fp.tile_size_cm, 3 * fp.pe_size_nm) // 8
    assert v14.periphery.accumulation.num_adder_tree == max(fp.tile_size_cm, fp.pe_size_nm) // 8


def test_max_pooling_units_per_tile_column():
    model = _model()
    fp = model.fp
    assert model.periphery.max_pool.num_max_pooling == fp.tile_size_cm
    faithful = _model(v21_max_pooling_counts=False).periphery.max_pool.num_max_pooling
    assert faithful == max(fp.tile_size_cm, fp.pe_size_nm) // 8


def test_shift_adds_after_the_reads():
    """V2.1 times one adder step and half a clock per shift-add unit after the conversions (the step is shorter
    than the 10 ns read pulse); V1.4 hides the shift-adds behind the conversions of the default 1T1R chip."""
    clk = 1e9
    v21 = _model().tile_nm.pe.subarray.mode
    v14 = _model(v21_shift_add_after_read=False).tile_nm.pe.subarray.mode
    step = v21._adder_steps[2]
    assert 0 < step < 10e-9
    assert v21.vector_latency(clk)[1] == pytest.approx(step + 0.5 / clk)
    assert v14.vector_latency(clk)[1] == 0.0


def test_column_settling_through_the_mean_cell():
    v21 = _model().tile_nm.pe.subarray.mode
    v14 = _model(v21_column_settling_mean_resistance=False).tile_nm.pe.subarray.mode
    geo = v21.geo
    mean = (geo.res_mem_cell_on + geo.res_mem_cell_off) / 2
    assert v21.col_delay() == pytest.approx(geo.cap_col * mean / (geo.num_row / 2) * 0.2)
    assert v21.col_delay() > 10 * v14.col_delay()


def test_row_activity_over_the_mapped_rows():
    """V2.1 divides a read's active rows by the rows mapped into the sub-array (27 in a 3x3x3 layer), eNVM and SRAM
    alike; V1.4 by the sub-array's 128 rows."""
    assert _model().tile_cm.pe.column_model.activity_rows(27) == 27
    assert _model(v21_activity_over_block_rows=False).tile_cm.pe.column_model.activity_rows(27) == 128
    sram = ChipModel(build_context(chip_from_v21_params({"memcelltype": 1})), LAYERS)
    assert sram.tile_cm.pe.column_model.activity_rows(27) == 27


def test_v21_wl_switch_matrix_has_minimum_gates():
    assert chip_from_v21_params({}).sizing.new_switch_matrix_ratio == 1.0


@pytest.mark.parametrize("parallel", [True, False])
def test_transposed_read_out_switch_time(parallel):
    """V2.1 times the read-out's source-line switches as a TG of 0.25 x the on cell's resistance (75 kOhm here)
    charging the column: its eight selections of the default chip take 7.50 ns with their register's half clocks
    (V2.1's SwitchMatrix model for that chip); V1.4's switch matrix is about three times faster."""
    params = {"parallelBP": parallel}
    chip = chip_from_v21_params(params).model_copy(update={"training": training_from_v21_params(params)})
    faithful = ChipConfig.model_validate({**chip.model_dump(), "quirks": {"ag_switch_timed_at_ir_drop_resistance": 0,
                                                                  "v21_switch_matrix_sizing": 0}})
    v21 = TransposedReadout(build_context(chip), chip.training)
    other = TransposedReadout(build_context(faithful), faithful.training)
    steps = 8
    if parallel:
        assert v21._select_latency(steps) == pytest.approx(7.4995e-9, rel=0.01)
    dff = steps * 0.5e-9
    assert v21._select_latency(steps) - dff > 2.5 * (other._select_latency(steps) - dff)
    assert math.isfinite(v21._select_latency(steps))


def _cellbit2(**quirks: bool) -> ChipModel:
    """The default V2.1 chip with 2-bit cells: 5-bit weights take 3 cells, 8 muxed columns hold 8 // 3 = 2 weights."""
    chip = chip_from_v21_params({"cellBit": 2})
    chip = ChipConfig.model_validate({**chip.model_dump(), "quirks": quirks})
    return ChipModel(build_context(chip), LAYERS)


def test_shift_add_reads_of_multi_cell_weights():
    """V2.1 reads the weight shift-add once per muxed column (8); V1.4 (3 - 1) times per weight of them, 8 // 3 = 2
    weights (C's ceil of an integer division); both read the input shift-add once per weight."""
    v21 = _cellbit2().tile_nm.pe.subarray.mode
    v14 = _cellbit2(v21_shift_add_read_counts=False).tile_nm.pe.subarray.mode
    assert v21.ctx.p.cols_per_weight == 3 and v21.cols_muxed == 8
    assert v21._shift_add_reads() == (8, 2)
    assert v14._shift_add_reads() == (4, 2)
    weight, inputs = v21.shift_adders.weight, v21.shift_adders.inputs
    assert v21.shift_adders.energies(*v21._shift_add_reads()) == (weight.energy(8), inputs.energy(2))


def test_tile_accumulation_reads_truncated():
    """A conventional tile's accumulation reads 8 // 3 = 2 times per input under V2.1, ceil(8 / 3) = 3 under V1.4."""
    costs = []
    for on in (True, False):
        tile = _cellbit2(v21_tile_accumulation_truncated_reads=on).tile_cm
        costs.append(tile._accumulate(Cost(), 2, 8, 1e9, False, exact_ceil=True).energy)
    assert costs[0] == pytest.approx(costs[1] * 2 / 3)


def test_v21_reads_a_one_cell_weight_linearly_over_its_levels():
    """V2.1 reads a 5-bit weight in a 5-bit cell at (w + 1) / 2 of the way from G_min to G_max: its level 0..32 over
    32 steps (33 conductances); off, a digit 0..31 over 31 steps (+1.0 wraps to 0 under top_weight_level_wraps)."""
    import numpy as np

    from neurocim.arch.subarray.column_model import conductance_and_range
    from neurocim.arch.tile_work import _cell_digits, cell_digit_key
    from neurocim.workload.traces import LayerTrace

    params = {"memcelltype": 2}
    chip = chip_from_v21_params(params)
    faithful = ChipConfig.model_validate({**chip.model_dump(), "quirks": {"v21_linear_weight_conductance": False}})
    trace = LayerTrace.from_weight_codes(np.array([[-16, 0, 15, 16]]), 1 / 16, np.zeros((1, 4), dtype=int), 8)
    g_max, g_min = 1 / chip.cell.r_on_ohm, 1 / chip.cell.r_off_ohm
    want = {True: np.array([0, 16, 31, 32]) / 32, False: np.array([0, 16, 31, 0]) / 31}
    for linear, config in ((True, chip), (False, faithful)):
        model = ChipModel(build_context(config), LAYERS)
        column = model.tile_cm.pe.column_model
        assert column.conductance_steps == (32 if linear else None)
        digits = _cell_digits(trace, cell_digit_key(model.ctx.p), shape_only=False)
        g, _ = conductance_and_range(digits, column.__class__(**{**column.__dict__, "access_cmos": False,
                                                                 "wire_res_row": 0.0, "wire_res_col": 0.0}))
        np.testing.assert_allclose(g[0], want[linear] * (g_max - g_min) + g_min, rtol=1e-12)
