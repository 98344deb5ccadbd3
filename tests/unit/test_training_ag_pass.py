"""Activation-gradient pass through the chip: PEs, tiles and chip around the transposed read-out, forward untouched."""

from __future__ import annotations

import numpy as np
import pytest

from neurocim.arch.chip import ChipModel
from neurocim.arch.cost import Cost
from neurocim.arch.subarray import envm_read
from neurocim.training_cost import ag_pass
from neurocim.training_cost import quirks as q
from neurocim.training_cost.ag_pass import ActivationGradientPass
from neurocim.training_cost.backprop import TransposedReadout, activation_gradient_cost
from neurocim.workload.prepared import prepare
from neurocim.workload.traces import LayerTrace

from .test_training_backprop import AG_QUIRKS, LAYERS, VARIANTS, _trace
from .test_training_weight_gradient import _chip

VARIANTS_AG = {**VARIANTS, "conventional": {"mapping": "conventional"}}
PARTS = ("adc", "accum", "other")


def _pass(extra: dict, quirks=frozenset()):
    ctx, chip = _chip(extra, quirks)
    workload = prepare(LAYERS, [_trace(i) for i in range(len(LAYERS))])
    model = ChipModel(ctx, LAYERS, workload=workload)
    return model, ActivationGradientPass(model, chip.training), workload


@pytest.mark.parametrize("name", sorted(VARIANTS_AG))
def test_costs_are_finite_and_the_total_holds_the_peak(name):
    for quirks in (frozenset(), AG_QUIRKS):
        _, ag, workload = _pass(VARIANTS_AG[name], quirks)
        costs = ag.layer_costs(workload)
        assert costs[0].peak == Cost() and costs[0].total == Cost()  # no error reaches past the first layer
        for c in costs[1:]:
            for cost in (c.peak, c.total):
                values = np.array(list(cost.as_dict().values()))
                assert np.isfinite(values).all() and (values >= 0).all()
            assert c.peak.latency > 0 and c.peak.energy > 0
            assert c.peak.buffer_energy == 0 and c.peak.ic_energy == 0  # compute only
            assert c.total.buffer_energy > 0 and c.total.ic_energy > 0
            for part in PARTS:
                assert getattr(c.total, f"energy_{part}") >= getattr(c.peak, f"energy_{part}")
            assert c.total.latency >= c.peak.latency


def test_the_forward_pass_does_not_move_and_its_read_statistics_are_reused(monkeypatch):
    model, ag, workload = _pass({}, AG_QUIRKS)
    before = model.evaluate(workload)
    calls = []
    read_sums = envm_read._read_sums
    monkeypatch.setattr(envm_read, "_read_sums", lambda *a, **k: calls.append(1) or read_sums(*a, **k))
    costs = ag.layer_costs(workload)
    assert not calls  # the forward pass's column statistics, kept in the workload's cache: no second read
    assert model.evaluate(workload) == before
    assert costs[1].peak.energy_adc > 0


STATS_VARIANTS = {
    "voltage": {"adc": {"sense_mode": "voltage"}},  # the same static energy at any finite R: exact
    "current": {},  # a piecewise fit: exact to the read pass's float32
    "own_levels": {"training": {"backprop": {"adc_levels": 16}}},
    "forward_sequential": {"array": {"read_mode": "sequential"}},  # statistics the forward pass does not collect
    "sar": {"cell": {"type": "rram"}, "adc": {"type": "sar"}},
}


@pytest.mark.parametrize("name", sorted(STATS_VARIANTS))
def test_the_statistics_give_the_element_wise_adc_energy(monkeypatch, name):
    _, ag, workload = _pass(STATS_VARIANTS[name], AG_QUIRKS)
    fast = ag.layer_costs(workload)
    pe = ag.tile_nm.pe if ag.tile_nm is not None else ag.tile_cm.pe
    assert (pe.reader.read_key() is None) == (name == "forward_sequential")
    monkeypatch.setattr(ActivationGradientPass, "_tile_adc_energy", lambda *a: None)
    slow = ag.layer_costs(workload)
    for f, s in zip(fast[1:], slow[1:], strict=True):
        assert f.peak.energy_adc == pytest.approx(s.peak.energy_adc, rel=1e-5)
        assert f.total.latency == pytest.approx(s.total.latency, rel=1e-12)


@pytest.mark.parametrize("quirks", [frozenset(), AG_QUIRKS, AG_QUIRKS | {"v21_mlsa_read_time"}])
def test_every_sub_array_block_is_read_once(quirks):
    """Conventionally mapped, the PEs' sub-arrays cut the matrix as the layer-wide blocks do:
    the read-out energies are the sub-array reads of the whole layer; the pass adds the adder trees."""
    extra = {"mapping": "conventional"}
    model, ag, workload = _pass(extra, quirks)
    ctx, chip = _chip(extra, quirks)
    index = 1
    got = ag.layer_costs(workload)[index].peak
    dup = model.fp.speedup[index]
    want = activation_gradient_cost(ctx, chip.training, index, LAYERS[index], _trace(index), model.windows[index], dup)
    assert got.energy_adc == pytest.approx(want.energy_adc, rel=1e-5)
    assert got.energy_other == pytest.approx(want.energy_other, rel=1e-9)
    assert got.energy_accum > want.energy_accum  # the PE and tile adder trees
    assert got.latency > want.latency


def test_duplicated_layers_share_the_latency():
    model, ag, workload = _pass({})
    costs = ag.layer_costs(workload)
    assert model.fp.speedup[1] > 1
    readout = ag.readout
    one_block = readout.read_cost(model.windows[1] * ag.error_bits)
    assert costs[1].peak.latency_adc < one_block.latency_adc  # the copies share the reads


def test_area_and_leakage_cover_every_sub_array():
    model, ag, _ = _pass({})
    area = ag.area
    tiles = [(model.tile_nm, model.fp.num_tile_nm), (model.tile_cm, model.fp.num_tile_cm)]
    count = sum(
        n * (t.num_pe if t.novel else t.num_pe**2) * t.pe.num_subarray_row * t.pe.num_subarray_col
        for t, n in tiles
        if t is not None
    )
    assert area.num_subarrays == count > 0
    assert area.total_m2 == pytest.approx(area.adc_m2 + area.accumulation_m2 + area.other_m2)
    assert area.total_m2 == pytest.approx(area.per_subarray.total_m2 * count)
    assert all(ag.tile_leakage_w(i) > 0 for i in range(len(LAYERS)))


def test_the_forward_switch_leakage_quirk_acts():
    for name, acts in (("fefet", True), ("sram", False)):
        ctx, chip = _chip(VARIANTS[name])
        ctx_q, _ = _chip(VARIANTS[name], {q.AG_LEAKAGE_FORWARD_SWITCH})
        plain, doubled = TransposedReadout(ctx, chip.training), TransposedReadout(ctx_q, chip.training)
        assert plain.leakage_w > 0
        assert (doubled.leakage_w > plain.leakage_w) == acts


def test_a_chip_on_other_windows_is_refused():
    ctx, chip = _chip({"compat": "none"})  # windows as the traces write them
    short = [_trace(i) for i in range(len(LAYERS))]
    t = short[1]
    padded = np.concatenate([t.input_codes, t.input_codes[:, :4]], axis=1)  # windows the padding adds
    short[1] = LayerTrace.from_weight_codes(t.weight_codes, 1 / 16, padded, 8)
    workload = prepare(LAYERS, short)
    model = ChipModel(ctx, LAYERS)  # not evaluated: every window, as the layer table counts them
    with pytest.raises(ValueError, match="windows"):
        ActivationGradientPass(model, chip.training).layer_costs(workload)
    model.evaluate(workload)
    assert ActivationGradientPass(model, chip.training).layer_costs(workload)[1].peak.latency > 0


def test_row_resistances_are_kept_for_the_next_read_out(monkeypatch):
    _, ag, workload = _pass({})
    first = ag.layer_costs(workload)
    calls = []
    row_resistance = ag_pass._row_resistance
    monkeypatch.setattr(ag_pass, "_row_resistance", lambda *a: calls.append(1) or row_resistance(*a))
    ctx, chip = _chip({"training": {"backprop": {"adc_levels": 16, "error_bits": 4}}})
    other = ActivationGradientPass(ChipModel(ctx, LAYERS, workload=workload), chip.training).layer_costs(workload)
    assert not calls  # the same weights, sub-arrays and cells: the rows' resistances from the workload's cache
    assert other[1].peak.energy < first[1].peak.energy  # half the error bits, fewer levels


def test_v21_charges_the_sram_read_out_switches_at_the_forward_activity(monkeypatch):
    """ag_sram_switch_forward_activity: an SRAM read-out's word-line switches at the forward bit-vectors' mean row
    activity (the traces': about 0.35 of a full sub-array, below the errors' one half), only their energy changes;
    eNVM read-outs (no such switches) and the faithful model keep the errors' activity."""
    seen: list[float] = []
    read_cost = TransposedReadout.read_cost

    def spy(self, n, *args, switch_activity=0.5, **kwargs):
        seen.append(switch_activity)
        return read_cost(self, n, *args, switch_activity=switch_activity, **kwargs)

    monkeypatch.setattr(TransposedReadout, "read_cost", spy)
    _, plain_ag, workload = _pass(VARIANTS["sram"])
    plain = plain_ag.layer_costs(workload)
    assert set(seen) == {0.5}
    seen.clear()
    _, v21_ag, workload = _pass(VARIANTS["sram"], {q.AG_SWITCH_FORWARD_ACTIVITY})
    v21 = v21_ag.layer_costs(workload)
    assert seen and all(0 < a < 0.5 for a in seen)
    for a, b in zip(plain[1:], v21[1:], strict=True):
        assert b.peak.energy_other < a.peak.energy_other
        assert all(getattr(b.peak, f) == getattr(a.peak, f) for f in ("energy_adc", "energy_accum", "latency"))
    seen.clear()
    _, envm_ag, workload = _pass(VARIANTS["fefet"], {q.AG_SWITCH_FORWARD_ACTIVITY})
    envm_ag.layer_costs(workload)
    assert set(seen) == {0.5}


def test_the_sram_switch_energy_is_affine_in_its_activity():
    ctx, chip = _chip(VARIANTS["sram"])
    readout = TransposedReadout(ctx, chip.training)
    at = [readout.read_cost(3.0, switch_activity=a).energy_other for a in (0.0, 0.25, 0.5)]
    assert at[0] < at[1] < at[2] and at[1] == pytest.approx((at[0] + at[2]) / 2)


@pytest.mark.parametrize("timed", [False, True])
def test_a_block_past_its_tiles_columns_converts_as_the_forward_read_does(timed):
    """NeuroSim's equal shares of a novel-mapped layer's columns (novel_rows_position_major) can leave a sub-array
    block reaching past its tile's columns. Read out with the forward columns, an SRAM block converts every column it
    lays out, as the forward SRAM read does (its cells' values do not matter: V2.1's 3-7 % of t03's read-out energy);
    an eNVM block converts the columns it holds."""
    quirks = AG_QUIRKS | ({"v21_mlsa_read_time"} if timed else set())
    rng = np.random.default_rng(3)
    for name, past_costs_as_full in (("sram", True), ("fefet", False)):
        _, ag, _ = _pass(VARIANTS[name], quirks)
        assert (ag.readout.timing is not None) == timed
        pe = (ag.tile_nm or ag.tile_cm).pe
        rows, cols = ag.ctx.p.chip.array.rows, ag.ctx.p.chip.array.cols
        weights = rng.integers(0, 2, size=(rows, cols + cols // 4))  # the second block holds a quarter of its columns
        inputs = rng.integers(0, 2, size=(rows, 24)).astype(np.uint8)
        energies = []
        for block in ((0, cols), (cols, cols)):
            strips = ((0, rows, (block,)),)
            if timed:
                energies.append(ag._timed_blocks(pe, weights, inputs, strips, cols, 24)[0][1])
            else:
                energies.append(ag._adc_energy(pe, weights, inputs, strips, cols, 24))
        assert energies[0] > 0
        if past_costs_as_full:
            assert energies[1] == pytest.approx(energies[0], rel=1e-12)
        else:
            assert 0 < energies[1] < energies[0] / 2
