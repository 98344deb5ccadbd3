"""Transposed read-out of the activation-gradient pass: extra sub-array area, per-image cost, quirks."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from neurocim.arch.chip import ChipModel
from neurocim.arch.cost import Cost
from neurocim.arch.subarray.subarray_geometry import WIRE_CAP_PER_M
from neurocim.circuits.adc.converter import ColumnStats
from neurocim.training_cost import quirks as q
from neurocim.training_cost.backprop import (
    BackpropArea,
    TransposedReadout,
    activation_gradient_cost,
    backprop_area,
    training_chip_area,
    with_readout,
)
from neurocim.workload.network import Layer
from neurocim.workload.traces import LayerTrace

from .test_training_weight_gradient import _chip

LAYERS = (Layer(8, 8, 16, 3, 3, 32), Layer(6, 6, 32, 3, 3, 200), Layer(1, 1, 300, 1, 1, 10))
VARIANTS = {
    "fefet": {},
    "fefet_sequential": {"training": {"backprop": {"parallel": False}}},
    "rram_sar": {"cell": {"type": "rram"}, "adc": {"type": "sar"}},
    "sram": {"cell": {"type": "sram", "bits_per_cell": 1}},
    "sram_sequential": {"cell": {"type": "sram", "bits_per_cell": 1}, "training": {"backprop": {"parallel": False}}},
    "crossbar": {"cell": {"type": "rram", "access": "none"}, "training": {"backprop": {"rows_per_adc": 1}}},
}
AG_QUIRKS = frozenset({q.AG_FORWARD_COLUMNS, q.AG_MUX_ENERGY_AS_LATENCY})


@functools.cache
def _trace(index: int) -> LayerTrace:
    layer = LAYERS[index]
    rng = np.random.default_rng(index)
    codes = rng.integers(-15, 16, size=(layer.rows, layer.out_channels))
    inputs = rng.integers(0, 256, size=(layer.rows, layer.num_windows)) * (rng.random((layer.rows, 1)) < 0.7)
    return LayerTrace.from_weight_codes(codes, 1 / 16, inputs, 8)


def _cost(extra: dict, index: int, quirks=frozenset(), **kwargs) -> Cost:
    ctx, chip = _chip(extra, quirks)
    return activation_gradient_cost(ctx, chip.training, index, LAYERS[index], _trace(index), **kwargs)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_read_out_adds_area_beside_the_array(name):
    ctx, chip = _chip(VARIANTS[name])
    area = backprop_area(ctx, chip.training)
    assert area.adc_m2 > 0 and area.accumulation_m2 > 0 and area.other_m2 >= 0 and area.width_m > 0
    assert area.total_m2 == pytest.approx(area.adc_m2 + area.accumulation_m2 + area.other_m2)
    assert (area.height_m > 0) == name.startswith("sram")  # the 8T cell's column word lines need their switches


def test_parallel_read_out_converts_with_its_own_adc_levels():
    ctx, chip = _chip({"training": {"backprop": {"adc_levels": 16}}})
    ctx32, chip32 = _chip({"training": {"backprop": {"adc_levels": 256}}})
    assert backprop_area(ctx32, chip32.training).adc_m2 > backprop_area(ctx, chip.training).adc_m2


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_costs_are_finite_and_positive(name):
    for quirks in (frozenset(), AG_QUIRKS):
        for index in (1, 2):
            c = _cost(VARIANTS[name], index, quirks)
            values = np.array(list(c.as_dict().values()))
            assert np.isfinite(values).all() and (values >= 0).all()
            assert c.latency > 0 and c.energy > 0


def test_the_first_layer_has_no_activation_gradient():
    assert _cost({}, 0) == Cost()


def test_duplicated_weights_share_the_latency_not_the_energy():
    once, twice = _cost({}, 1), _cost({}, 1, duplication=2.0)
    assert twice.latency == pytest.approx(once.latency / 2)
    assert twice.energy == pytest.approx(once.energy)
    with pytest.raises(ValueError, match="duplication"):
        _cost({}, 1, duplication=0.5)


def test_vector_cost_is_linear_in_the_vectors():
    ctx, chip = _chip({})
    readout = TransposedReadout(ctx, chip.training)
    r = np.full((1, readout.num_adc), 5e4)
    one, two = readout.vector_cost(r, np.array([3])), readout.vector_cost(r, np.array([6]))
    assert two.energy == pytest.approx(2 * one.energy) and two.latency == pytest.approx(2 * one.latency)
    assert readout.vector_cost(r, np.array([0])) == Cost()


def test_fewer_error_bits_read_fewer_vectors():
    eight, four = _cost({}, 1), _cost({"training": {"backprop": {"error_bits": 4}}}, 1)
    assert four.energy < eight.energy and four.latency < eight.latency


def test_each_quirk_acts():
    base = _cost({}, 1, AG_QUIRKS)
    assert _cost({}, 1, AG_QUIRKS - {q.AG_FORWARD_COLUMNS}).energy_adc != base.energy_adc
    # the mux energy in joules stands in for a latency: far below the switch delay it is compared with
    assert _cost({}, 1, AG_QUIRKS - {q.AG_MUX_ENERGY_AS_LATENCY}).latency > base.latency


def test_the_forward_read_statistics_cost_the_same_as_the_resistances():
    ctx, chip = _chip({"adc": {"sense_mode": "voltage"}})  # its static energy is the same at any finite R
    readout = TransposedReadout(ctx, chip.training)
    assert readout.converter is not None and not readout.converter.read_statistic().reads_resistances
    r = np.full((2, readout.num_adc), 3e4)
    r[1, :5] = np.inf  # five conversions with no conducting cell
    counts = np.array([4, 3])
    stats = ColumnStats(live=4 * readout.num_adc + 3 * (readout.num_adc - 5), idle=3 * 5)
    got, want = readout.stats_cost(stats, 7), readout.vector_cost(r, counts)
    assert got is not None
    for name, value in want.as_dict().items():
        assert getattr(got, name) == pytest.approx(value, rel=1e-12), name
    ctx_hp, chip_hp = _chip({"technology": {"roadmap": "hp"}})
    assert TransposedReadout(ctx_hp, chip_hp.training).stats_cost(ColumnStats(1.0, 0.0), 1) is None  # no histogram


def test_the_v21_sram_precharger_and_write_driver_are_laid_out_as_unfolded_rows():
    """ag_sram_periphery_unfolded_row: V2.1 lays an SRAM read-out's precharger and write driver (one unit per array
    row) out as one row of units each, at right angles to the array's edge: the sub-array widens by their length
    (longer than the array's height here) instead of by the height of their units packed along it; eNVM read-outs
    (none of these circuits) do not change."""
    ctx, chip = _chip(VARIANTS["sram"])
    packed = TransposedReadout(ctx, chip.training)
    v21_only = frozenset({q.AG_SRAM_PERIPHERY_UNFOLDED})
    v21 = TransposedReadout(_chip(VARIANTS["sram"], v21_only)[0], chip.training)
    rows, h = v21.geo.num_row, v21.geo.length_col
    added = 0.0
    for unit in (v21.precharger, v21.write_driver):
        assert unit is not None and unit.num_col == rows
        assert unit.width == pytest.approx(rows * unit.unit_width) and unit.height == pytest.approx(unit.unit_height)
        added += unit.width
    assert added > h  # two rows of units, together longer than the array is high
    unpacked = sum(u.height for u in (packed.precharger, packed.write_driver))
    assert v21.area.width_m - packed.area.width_m == pytest.approx(added - unpacked)
    assert v21.area.accumulation_m2 == packed.area.accumulation_m2
    assert v21.area.height_m == packed.area.height_m
    envm = [TransposedReadout(c, t.training).area for c, t in (_chip({}), _chip({}, v21_only))]
    assert envm[0] == envm[1]


def test_the_v21_row_mux_is_laid_out_as_one_unfolded_row():
    """V2.1 stretches the transposed mux over the array height, as wide as all its pass gates in one row."""
    ctx, chip = _chip({})
    folded = TransposedReadout(ctx, chip.training)
    v21 = TransposedReadout(_chip({}, frozenset({q.AG_MUX_UNFOLDED_ROW}))[0], chip.training)
    mux, decoder = v21.mux.mux, v21.mux.decoder
    assert mux.height == pytest.approx(v21.geo.length_col)
    assert mux.width >= decoder.width and mux.width > folded.mux.height
    assert v21.mux.area == pytest.approx(v21.geo.length_col * mux.width + decoder.area)
    assert v21.area.width_m - folded.area.width_m == pytest.approx(mux.width - folded.mux.height)
    assert v21.area.other_m2 > folded.area.other_m2
    assert (v21.area.adc_m2, v21.area.accumulation_m2) == (folded.area.adc_m2, folded.area.accumulation_m2)


@pytest.mark.parametrize("name", ["fefet", "sram"])
def test_the_training_chip_grows_around_its_wider_sub_arrays(name):
    ctx, chip = _chip(VARIANTS[name])
    model = ChipModel(ctx, list(LAYERS))
    readout = backprop_area(ctx, chip.training)
    same = training_chip_area(model, BackpropArea(0.0, 0.0, 0.0, 0.0))
    for part in ("area", "array", "interconnect", "adc", "accumulation", "other"):
        assert getattr(same, part) == pytest.approx(getattr(model.area, part), rel=1e-12)
    grown = training_chip_area(model, readout)
    subarrays = model.area.array / model.tile_cm.pe.subarray.area_array
    assert grown.adc - model.area.adc == pytest.approx(readout.adc_m2 * subarrays, rel=1e-9)
    assert grown.accumulation - model.area.accumulation >= readout.accumulation_m2 * subarrays * (1 - 1e-9)
    # the H-trees span the larger PEs and tiles
    assert grown.interconnect > model.area.interconnect and grown.array == pytest.approx(model.area.array)
    assert grown.tile_height_cm > model.area.tile_height_cm
    bigger_buffer = training_chip_area(model, readout, gradient_buffer_bits=10**7)
    assert bigger_buffer.other > grown.other and bigger_buffer.adc == grown.adc


def test_a_grown_sub_array_keeps_the_forward_one():
    ctx, chip = _chip({})
    model = ChipModel(ctx, list(LAYERS))
    sub = model.tile_cm.pe.subarray
    before = (sub.width, sub.used_area, sub.area_adc)
    grown = with_readout(sub, BackpropArea(1e-9, 2e-9, 3e-9, 1e-5, 2e-6))
    assert (sub.width, sub.used_area, sub.area_adc) == before
    assert grown.width == pytest.approx(sub.width + 1e-5) and grown.height == pytest.approx(sub.height + 2e-6)
    assert grown.area == pytest.approx(grown.width * grown.height)
    assert grown.used_area == pytest.approx(sub.used_area + 6e-9)
    assert grown.area_other == pytest.approx(sub.area_other + 3e-9)


def test_v21_leaves_the_sram_read_out_write_driver_out_of_its_leakage():
    ctx, chip = _chip(VARIANTS["sram"])
    faithful = TransposedReadout(ctx, chip.training)
    v21 = TransposedReadout(_chip(VARIANTS["sram"], frozenset({q.AG_LEAKAGE_NO_WRITE_DRIVER}))[0], chip.training)
    assert faithful.write_driver.leakage > 0
    assert v21.leakage_w == pytest.approx(faithful.leakage_w - faithful.write_driver.leakage)
    assert v21.area == faithful.area  # its area counts either way
    envm_ctx, envm = _chip({}, frozenset({q.AG_LEAKAGE_NO_WRITE_DRIVER}))
    without = TransposedReadout(_chip({})[0], envm.training).leakage_w
    assert TransposedReadout(envm_ctx, envm.training).leakage_w == without  # eNVM read-outs add no write driver


def test_the_v21_law_times_each_read_by_its_slowest_column():
    """Under v21_mlsa_read_time a read converts in its slowest column's time (1-10 ns), at every driven column of a
    sequential read-out, and the columns' power is charged for that time once per driven column."""
    sequential = {"training": {"backprop": {"parallel": False}}}
    ctx, chip = _chip(sequential, {"v21_mlsa_read_time"})
    readout = TransposedReadout(ctx, chip.training)
    assert readout.timing is not None and readout.flash is not None
    assert TransposedReadout(*_chip(sequential)[:1], chip.training).timing is None
    r_on, r_off = chip.cell.r_on_ohm, chip.cell.r_off_ohm
    assert readout.timing.references_ohm[0] == pytest.approx(r_on + r_off / readout.levels)  # one cell per read
    r = np.full((2, readout.num_adc), 2e5)
    r[1] *= 30
    counts = np.array([3.0, 2.0])
    per_read = readout.timing.read_latency(r)
    assert np.all((per_read >= 1e-9) & (per_read <= 1e-8))
    driven = readout.geo.num_col / 2
    steps = chip.training.backprop.rows_per_adc * driven
    base, got = readout.read_cost(5.0), readout.vector_cost(r, counts)
    shift = (per_read @ counts - 5 * readout.flash.latency(1, 1)) * steps
    assert got.latency_adc == pytest.approx(base.latency_adc + shift, rel=1e-12)
    assert got.energy_adc - base.energy_adc == pytest.approx(readout.timing.read_energy(r) @ counts * driven, rel=1e-9)
    assert readout.stats_cost(ColumnStats(1.0, 0.0), 1) is None  # the law needs every read's resistances
    ctx_p, chip_p = _chip({}, {"v21_mlsa_read_time"})
    parallel = TransposedReadout(ctx_p, chip_p.training)
    assert parallel.timing is not None
    rows = chip_p.array.rows
    assert parallel.timing.references_ohm[0] == pytest.approx(r_on / rows + r_off / (rows * parallel.levels))


def test_an_sram_read_out_books_its_precharge_and_row_settling_to_the_adc():
    """As in the forward SRAM read: the precharge and the row settling are part of the conversion, not of "other";
    V2.1's SRAM read (v21_sram_parallel_read) lets the rows settle once per vector instead of once per muxed row."""
    ctx, chip = _chip(VARIANTS["sram"])
    faithful = TransposedReadout(ctx, chip.training)
    v21 = TransposedReadout(_chip(VARIANTS["sram"], frozenset({"v21_sram_parallel_read"}))[0], chip.training)
    rows = faithful.bp.rows_per_adc
    assert rows > 1
    one, once = faithful.read_cost(1.0), v21.read_cost(1.0)
    assert one.latency_other == pytest.approx(faithful._select_latency(rows))
    settle = faithful._line_delay(1)
    assert settle > 0
    assert one.latency_adc - once.latency_adc == pytest.approx(settle * (rows - 1))
    assert once.latency_other == one.latency_other


def _sram_sequential(rows_per_adc: int = 8, quirks=frozenset()) -> TransposedReadout:
    extra = {**VARIANTS["sram_sequential"], "training": {"backprop": {"parallel": False, "rows_per_adc": rows_per_adc}}}
    ctx, chip = _chip(extra, frozenset(quirks))
    return TransposedReadout(ctx, chip.training)


def test_sram_sequential_read_out_senses_every_row_once_per_driven_column():
    """A sequential SRAM read-out has a sense amplifier on every row: one read per driven column, whatever the rows
    per ADC, its rows settling at each read, and one weight's shift-adds per vector."""
    eight, four = _sram_sequential(8), _sram_sequential(4)
    assert eight.sense_amp is not None and eight.flash is None and eight.sar is None
    steps = eight.geo.num_col * 0.5
    assert eight.steps_per_vector == four.steps_per_vector == steps
    assert eight._shift_add_steps == eight.ctx.p.cols_per_weight
    one, other = eight.read_cost(1.0), four.read_cost(1.0)
    assert one.latency == pytest.approx(other.latency) and one.energy == pytest.approx(other.energy)
    assert eight._sram_settling() == pytest.approx(eight._line_delay(1) * steps)
    t_sense, e_sense = eight._adc_fixed(steps)
    assert t_sense == pytest.approx(eight.sense_amp.latency(steps)) and e_sense > 0


def test_v21_sram_sequential_read_out_quirks():
    """Under V2.1 a sequential SRAM read-out settles the whole row line behind one cell (v21_sram_parallel_read),
    waits a clock for the sense-amplifier enable at every read (wg_sense_amp_enable_clock) and charges its registers
    one bit per adder (ag_sram_dff_forward_adder_width); each switch alone changes only its own part."""
    plain = _sram_sequential()
    steps = plain.steps_per_vector
    base = plain.read_cost(1.0)
    clocked = _sram_sequential(quirks={q.SENSE_AMP_ENABLE_CLOCK})
    clk = plain.ctx.p.chip.clock.max_frequency_hz
    cost = clocked.read_cost(1.0)
    assert cost.latency_adc - base.latency_adc == pytest.approx(steps / clk)
    assert cost.energy == pytest.approx(base.energy)
    narrow = _sram_sequential(quirks={q.AG_SRAM_DFF_FORWARD_ADDER})
    assert narrow._dff_bits_per_unit == 1 < plain._dff_bits_per_unit == plain.adder.num_bit + 1
    cost = narrow.read_cost(1.0)
    wide = plain.dff.energy(steps, plain.units * (plain.adder.num_bit + 1), False)
    saved = wide - plain.dff.energy(steps, plain.units, False)
    assert saved > 0
    assert base.energy_accum - cost.energy_accum == pytest.approx(saved)
    assert cost.latency == pytest.approx(base.latency) and cost.energy_adc == pytest.approx(base.energy_adc)
    lumped = _sram_sequential(quirks={"v21_sram_parallel_read"})
    cost = lumped.read_cost(1.0)
    assert cost.latency_adc != pytest.approx(base.latency_adc) and cost.latency_adc > 0
    assert cost.latency_adc - base.latency_adc == pytest.approx(lumped._sram_settling() - plain._sram_settling())
    assert cost.energy == pytest.approx(base.energy) and cost.latency_other == base.latency_other


def test_v21_sram_read_out_rounds_its_weights_per_read_down():
    """Under v21_shift_add_read_counts the input shift-add of an SRAM read-out counts rows_per_adc // cells per weight
    (V2.1's integer division, as its forward read), otherwise every started weight."""
    extra = {**VARIANTS["sram"], "training": {"backprop": {"rows_per_adc": 8}}}
    ctx, chip = _chip(extra)
    faithful = TransposedReadout(ctx, chip.training)
    v21 = TransposedReadout(_chip(extra, frozenset({"v21_shift_add_read_counts"}))[0], chip.training)
    cps = ctx.p.cols_per_weight
    assert 8 % cps and faithful.shift_input is not None
    one, down = faithful.read_cost(1.0), v21.read_cost(1.0)
    unit = faithful.shift_input
    assert one.energy_accum - down.energy_accum == pytest.approx(unit.energy(-(-8 // cps)) - unit.energy(8 // cps))
    assert one.energy_accum > down.energy_accum > 0


def test_a_sequential_envm_read_out_charges_its_lines_at_every_driven_columns_step():
    """Per vector and muxed row, the parallel read-out charges the read bit lines once and every driven line; the
    sequential one drives the columns one by one, charging the bit lines and that column's line again at each step
    (NeuroSim V2.1 charges them so too). The ADC energy of a vector holds them once per muxed row."""
    chips = [_chip(VARIANTS[name]) for name in ("fefet", "fefet_sequential")]
    par, seq = (TransposedReadout(ctx, chip.training) for ctx, chip in chips)
    geo, vdd = seq.geo, seq.ctx.tech.vdd
    line = geo.cap_row2 * vdd * vdd
    bit_lines = par._array_energy() - line * geo.num_row * 0.5
    assert bit_lines > 0
    assert seq._array_energy() == pytest.approx((bit_lines + line) * geo.num_col * 0.5, rel=1e-12)
    assert seq._array_energy() > par._array_energy()
    for readout in (par, seq):
        steps = readout.bp.rows_per_adc * (1 if readout.parallel else geo.num_col * 0.5)
        want = readout._adc_fixed(steps)[1] + readout._array_energy() * readout.bp.rows_per_adc
        assert readout.read_cost(1.0).energy_adc == pytest.approx(want, rel=1e-12)


def _readout(extra: dict, quirks=frozenset()) -> TransposedReadout:
    ctx, chip = _chip(extra, quirks)
    return TransposedReadout(ctx, chip.training)


def test_v21_charges_a_sequential_read_outs_lines_once_per_array_row():
    """V2.1 counts a sequential eNVM read-out's line charging over the array's rows (x the errors' activity), though
    it drives the columns: the same on a square array, rows / columns of the faithful energy on another."""
    rows = frozenset({q.AG_SEQUENTIAL_LINES_PER_ROW})
    extra = {**VARIANTS["fefet_sequential"], "array": {"rows": 64, "cols": 128}}
    faithful, v21 = _readout(extra), _readout(extra, rows)
    assert (faithful.geo.num_row, faithful.geo.num_col) == (64, 128)
    assert v21._array_energy() == pytest.approx(faithful._array_energy() * 64 / 128, rel=1e-12)
    square = VARIANTS["fefet_sequential"]
    assert _readout(square)._array_energy() == _readout(square, rows)._array_energy()


@pytest.mark.parametrize("cell", [{}, {"cell": {"type": "sram", "bits_per_cell": 1}}])
def test_a_sequential_forward_array_reads_its_transposed_side_row_by_row(cell):
    """A conventional-sequential array has no parallel read-out: backprop.parallel=true is read row by row there,
    costing and sizing exactly as backprop.parallel=false."""
    forward = {**cell, "array": {"read_mode": "sequential"}}
    asked = _chip(forward)
    row_by_row = _chip({**forward, "training": {"backprop": {"parallel": False}}})
    readouts = [TransposedReadout(ctx, chip.training) for ctx, chip in (asked, row_by_row)]
    assert not readouts[0].parallel and readouts[0].levels == readouts[1].levels
    assert backprop_area(*asked[:1], asked[1].training) == backprop_area(*row_by_row[:1], row_by_row[1].training)
    assert readouts[0].read_cost(1.0).latency == readouts[1].read_cost(1.0).latency
    assert TransposedReadout(*_chip(cell)[:1], _chip(cell)[1].training).parallel  # parallel forward read: as asked


@pytest.mark.parametrize("name", ["fefet", "crossbar"])
def test_a_crossbar_row_settles_through_its_bare_wire(name):
    """The transposed read's row settling charges the row wire, plus the access drains of a 1T1R row only: a crossbar
    has no access device on its rows (V2.1 too: its access width is never set for crossbar cells)."""
    ctx, chip = _chip(VARIANTS[name])
    readout = TransposedReadout(ctx, chip.training)
    geo = readout.geo
    res = geo.res_mem_cell_avg
    if ctx.p.quirk("v21_column_settling_mean_resistance"):
        res = (geo.res_mem_cell_on + geo.res_mem_cell_off) / 2
    bare = geo.length_row * WIRE_CAP_PER_M * res / (geo.num_col / 2) * 0.2 * 8 / readout.bp.error_bits
    if name == "crossbar":
        assert readout._line_delay(8) == pytest.approx(bare, rel=1e-12)
    else:
        assert readout._line_delay(8) > 1.2 * bare  # the access drains add about half the wire here
