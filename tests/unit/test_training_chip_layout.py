"""A training chip's passes run over its grown layout: sub-arrays widened by the transposed read-out, longer wires."""

from __future__ import annotations

import pytest

from neurocim.arch.chip import ChipModel
from neurocim.training_cost.ag_pass import ActivationGradientPass
from neurocim.training_cost.backprop import TransposedReadout, training_chip_area
from neurocim.training_cost.forward import GrownSubarray
from neurocim.workload.prepared import prepare

from .test_training_backprop import LAYERS, VARIANTS, _trace
from .test_training_weight_gradient import _chip


def _models(name: str):
    ctx, chip = _chip(VARIANTS[name])
    workload = prepare(LAYERS, [_trace(i) for i in range(len(LAYERS))])
    readout = TransposedReadout(ctx, chip.training).area
    plain = ChipModel(ctx, LAYERS, workload=workload)
    grown = ChipModel(ctx, LAYERS, workload=workload, grow=GrownSubarray(readout))
    return plain, grown, readout, workload, chip


@pytest.mark.parametrize("name", ["fefet", "sram"])
def test_the_forward_pass_pays_the_longer_wires_of_the_grown_chip(name):
    plain, grown, _, workload, _ = _models(name)
    a, b = plain.evaluate(workload), grown.evaluate(workload)
    for x, y in zip(a.layers, b.layers, strict=True):
        # the PE buses, tile H-trees and the chip's H-tree span the wider sub-arrays, PEs and tiles (in whole clock
        # cycles on a synchronous chip: the time may round to the same count)
        assert y.latency_breakdown_s.interconnect >= x.latency_breakdown_s.interconnect
        assert y.energy_breakdown_j.interconnect > x.energy_breakdown_j.interconnect
        # the sub-arrays read as before
        assert y.energy_breakdown_j.adc == pytest.approx(x.energy_breakdown_j.adc, rel=1e-9)
        assert y.latency_breakdown_s.adc == pytest.approx(x.latency_breakdown_s.adc, rel=1e-9)
    assert b.chip.area_m2 > a.chip.area_m2


@pytest.mark.parametrize("name", ["fefet", "sram"])
def test_the_grown_chip_is_laid_out_once(name):
    """The training chip's area of a chip built over grown sub-arrays is the grown layout of the plain chip: its
    sub-arrays are not grown a second time."""
    plain, grown, readout, _, _ = _models(name)
    want, got = training_chip_area(plain, readout), training_chip_area(grown, readout)
    for part in ("area", "array", "interconnect", "adc", "accumulation", "other", "tile_height_cm", "tile_width_cm"):
        assert getattr(got, part) == pytest.approx(getattr(want, part), rel=1e-12), part
    assert grown.area.area == pytest.approx(want.area, rel=1e-12)  # the same gradient buffer (none) in both


def test_the_activation_gradient_pass_runs_over_the_grown_tiles():
    plain, grown, _, workload, chip = _models("fefet")
    grown.evaluate(workload)
    plain.evaluate(workload)
    ag_grown = ActivationGradientPass(grown, chip.training)
    ag_plain = ActivationGradientPass(plain, chip.training)
    assert ag_grown.tile_cm.pe.subarray.width == pytest.approx(grown.tile_cm.pe.subarray.width)
    assert ag_grown.tile_cm.pe.subarray.width > ag_plain.tile_cm.pe.subarray.width
    for x, y in zip(ag_plain.layer_costs(workload)[1:], ag_grown.layer_costs(workload)[1:], strict=True):
        assert y.total.ic_latency >= x.total.ic_latency and y.total.ic_energy > x.total.ic_energy
        assert y.peak.energy_adc == pytest.approx(x.peak.energy_adc, rel=1e-9)


def test_chips_with_and_without_growth_keep_their_own_tiles():
    """The workload's cache keys the tiles by the growth: a plain chip after a grown one gets plain tiles."""
    plain, grown, _, workload, _ = _models("fefet")
    assert grown.tile_cm.pe.subarray.width > plain.tile_cm.pe.subarray.width
    again = ChipModel(plain.ctx, LAYERS, workload=workload)
    assert again.tile_cm.pe.subarray.width == plain.tile_cm.pe.subarray.width
