"""Transposed read-out of the activation-gradient pass: extra sub-array area, per-image cost, quirks."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from neurocim.arch.cost import Cost
from neurocim.circuits.adc.converter import ColumnStats
from neurocim.training_cost import quirks as q
from neurocim.training_cost.backprop import TransposedReadout, activation_gradient_cost, backprop_area
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
