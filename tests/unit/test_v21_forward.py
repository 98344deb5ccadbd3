"""NeuroSim V2.1's inference core (compat neurosim_v21): its Param.cpp importer and the forward pass of its cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from neurocim.arch.subarray.subarray import SubArray
from neurocim.arch.subarray.subarray_common import adc_energy_per_vector
from neurocim.circuits.adc.mlsa_timing_v21 import MlsaTimingV21, v21_references
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.row_decoder import DecoderMode, RowDecoder
from neurocim.circuits.gates.gates import Mos, on_resistance
from neurocim.circuits.wires.htree import HTree
from neurocim.circuits.wires.repeated_wire import Relax, size_repeaters, wire_resistance_per_length
from neurocim.compat.param_cpp import ParamImportError
from neurocim.compat.param_cpp_v21 import KNOWN_NAMES, SHARED_NAMES, chip_from_v21_params
from neurocim.compat.param_schema import SPECS
from neurocim.compat.quirks import QUIRKS, ChipCompat, enabled_quirks
from neurocim.compat.v21_defaults import V21_DEFAULTS
from neurocim.config.chip import CellType, ChipConfig, MappingType, Roadmap, SenseMode
from neurocim.config.derived import derive
from neurocim.errors import InputError
from neurocim.estimate import build_context, estimate
from neurocim.tech.technology import load_technology
from neurocim.training_cost.forward import NO_COST, forward_phase, global_buffer_passes, image_loads
from neurocim.workload.prepared import prepare
from neurocim.workload.training_traces import read_training_npz
from tests.v21_support import SMALL, small_workload

REF = Path(__file__).resolve().parents[3] / "shared" / "reference" / "neurosim_v21"
CASES = sorted(p for p in (REF / "cases").glob("*") if (p / "params.json").is_file())


def _params(case: str) -> dict:
    return json.loads((REF / "cases" / case / "params.json").read_text())


def test_every_shared_name_reads_as_the_v14_importer_reads_it():
    assert set(SPECS) >= SHARED_NAMES
    assert set(V21_DEFAULTS) <= KNOWN_NAMES


def test_the_shipped_defaults_import_as_the_v21_chip():
    chip = chip_from_v21_params({})
    assert chip.compat is ChipCompat.NEUROSIM_V21
    assert chip.cell.type is CellType.FEFET and chip.cell.bits_per_cell == 5
    assert chip.technology.node_nm == 32 and chip.adc.bits == 6 and chip.precision.weight_bits == 5
    assert chip.cell.r_on_ohm == 240e3 and chip.cell.on_off_ratio == pytest.approx(100)
    assert not chip.pipeline.enabled and not chip.calibration.validated and not chip.clock.synchronous
    assert chip.interconnect.global_bus.value == "htree"


@pytest.mark.skipif(not CASES, reason="NeuroSim V2.1 reference cases not present")
@pytest.mark.parametrize("case", [p.name for p in CASES])
def test_every_reference_case_imports_or_is_refused(case):
    params = _params(case)
    if "expected_error" in case:
        with pytest.raises(ParamImportError, match="pipeline=True is not supported: NeuroSim V2.1 crashes"):
            chip_from_v21_params(params)
        return
    chip = chip_from_v21_params(params)
    effective = json.loads((REF / "cases" / case / "expected.json").read_text())["case"]["effective"]
    cell_bits = 1 if chip.cell.type is CellType.SRAM else chip.cell.bits_per_cell
    assert cell_bits == effective["cellBit"]
    assert -(-chip.precision.weight_bits // cell_bits) == effective["numColPerSynapse"]
    assert chip.mapping is (MappingType.NOVEL if params["novelMapping"] else MappingType.CONVENTIONAL)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"wireWidth": 56}, r"wireWidth=56 does not match technode=32: allowed 40"),
        ({"technode": 22}, r"wireWidth=40 does not match technode=22: allowed 32"),
        ({"technode": 5, "wireWidth": 14}, r"technode=5 has no NeuroSim V2.1 transistor data; allowed: 130, 90"),
        ({"featuresize": 56e-9}, r"featuresize=5.6e-08 does not match technode=32: allowed 4e-08"),
        ({"maxConductance": 1e-5}, r"maxConductance=1e-05 is not supported; allowed: 4.16667e-06"),
        ({"resistanceAccess": 1e3}, r"resistanceAccess=1000.0 is not supported; allowed: 15000"),
        ({"widthSRAMCellNMOS": 1}, r"widthSRAMCellNMOS=1 is not supported; allowed: 2.08"),
        ({"nonlinearIV": True}, r"nonlinearIV=True is not supported"),
        ({"validated": True}, r"unknown NeuroSim V2.1 parameter\(s\): 'validated'"),
        ({"levelOutput": 48}, r"levelOutput=48 must be a power of two"),
        ({"memcelltype": 4}, r"memcelltype=4 is not supported; allowed: 1 \(sram\)"),
        ({"numColMuxed": 256}, r"array.cols_per_adc=256 exceeds array.cols=128.*numColMuxed=256"),
    ],
)
def test_unsupported_values_are_refused_with_the_parameter_and_what_is_allowed(change, message):
    with pytest.raises(InputError, match=message):
        chip_from_v21_params(change)


def test_a_node_imports_with_its_own_wire_width():
    chip = chip_from_v21_params({"technode": 22, "featuresize": 32e-9, "wireWidth": 32})
    assert chip.technology.node_nm == 22


def test_cell_bits_above_the_weight_bits_go_on_as_v21_does_with_a_warning():
    with pytest.warns(UserWarning, match="cellBit=8 exceeds synapseBit=5; NeuroSim V2.1 goes on with cellBit=5"):
        chip = chip_from_v21_params({"cellBit": 8})
    assert chip.cell.bits_per_cell == 5


def test_training_names_are_left_to_the_training_importer():
    chip = chip_from_v21_params({"batchSize": 64, "dramType": 1, "trainingEstimation": False})
    assert chip == chip_from_v21_params({})


def test_a_mapping_of_names_is_required():
    with pytest.raises(ParamImportError, match="expected an object mapping NeuroSim parameter names"):
        chip_from_v21_params([("technode", 32)])  # type: ignore[arg-type]


V21_ONLY = sorted(q.name for q in QUIRKS if q.modes == {ChipCompat.NEUROSIM_V21})
FORWARD_VIEW_QUIRKS = ("v21_image_load_every_layer",)  # change the forward view, not the inference estimate


def test_v21_mode_reproduces_the_v14_quirks_its_core_shares_and_its_own():
    v21 = enabled_quirks(ChipCompat.NEUROSIM_V21)
    assert set(V21_ONLY) <= v21
    assert not set(V21_ONLY) & enabled_quirks(ChipCompat.NEUROSIM_V14)
    assert not enabled_quirks(ChipCompat.NONE)


@pytest.mark.parametrize("name", sorted(set(V21_ONLY) - set(FORWARD_VIEW_QUIRKS)))
def test_switching_a_v21_quirk_off_changes_the_estimate(name):
    where = {
        "v21_cell_constants": {"memcelltype": 1},
        "v21_precharger": {"memcelltype": 1},
        "v21_sram_array_parasitics": {"memcelltype": 1},
        "v21_sram_parallel_read": {"memcelltype": 1},
        "v21_sram_write_driver": {"memcelltype": 1},
        "v21_activity_over_block_rows": {"memcelltype": 1},
        "v21_transistor_data": {"technode": 90, "featuresize": 200e-9, "wireWidth": 200},
        "v21_global_accumulation_reads": {"numRowSubArray": 16, "numColSubArray": 16},
        "v21_shift_add_read_counts": {"cellBit": 2},
        "v21_sequential_read": {"operationmode": 1},
        "v21_tile_accumulation_truncated_reads": {"cellBit": 2, "novelMapping": False},
    }
    chip = chip_from_v21_params(where.get(name, {}))
    with_quirk = estimate(chip, small_workload()).to_dict()
    off = ChipConfig.model_validate({**chip.model_dump(), "quirks": {name: False}})
    assert estimate(off, small_workload()).to_dict() != with_quirk


def test_inference_image_load_from_dram():
    """Faithful: the first layer reads its H x W x C x input-bit image; V2.1: every layer reads H x W x input bits."""
    v21 = chip_from_v21_params({})
    faithful = ChipConfig.model_validate({**v21.model_dump(), "quirks": {"v21_image_load_every_layer": False}})
    bits = 8 * 8 * v21.precision.input_bits
    assert image_loads(v21, SMALL) == [image_loads(v21, SMALL)[0]] * 2
    assert image_loads(v21, SMALL)[0].energy_j == pytest.approx(bits * 3.9e-12)
    assert image_loads(v21, SMALL)[0].latency_s == pytest.approx(bits / 15.2e12)
    assert image_loads(faithful, SMALL)[0].energy_j == pytest.approx(16 * bits * 3.9e-12)
    assert image_loads(faithful, SMALL)[1] == NO_COST
    gddr5 = ChipConfig.model_validate({**v21.model_dump(), "training": {"dram": {"type": "gddr5"}}})
    assert image_loads(gddr5, SMALL)[0].energy_j == pytest.approx(bits * 14e-12)
    report = estimate(v21, small_workload())
    loaded = forward_phase(report, image_loads(v21, SMALL))
    for fw, plain in zip(loaded, forward_phase(report), strict=True):
        assert fw.total.energy_j == pytest.approx(plain.total.energy_j + fw.dram.energy_j)
        assert fw.peak == plain.peak
    with pytest.raises(ValueError, match="1 DRAM loads for 2 layers"):
        forward_phase(report, [NO_COST])


@pytest.mark.parametrize("compat", ["neurosim_v21", "none"])
def test_training_forward_passes_over_the_global_buffer_again(compat):
    """The second global-buffer pass of a training forward is the global-buffer part of the layer's buffer cost."""
    chip = chip_from_v21_params({}).model_copy(update={"compat": ChipCompat(compat)})
    report = estimate(chip, small_workload())
    passes = global_buffer_passes(chip, small_workload())
    for record, again, fw in zip(report.layers, passes, forward_phase(report, buffer_again=passes), strict=True):
        assert 0 < again.latency_s <= record.latency_breakdown_s.buffer
        assert 0 < again.energy_j <= record.energy_breakdown_j.buffer
        assert fw.total.latency_s == pytest.approx(record.latency_s + again.latency_s)
        assert fw.total.energy_j == pytest.approx(record.dynamic_energy_j + again.energy_j)
    with pytest.raises(ValueError, match="3 buffer passes for 2 layers"):
        forward_phase(report, buffer_again=passes + passes[:1])


def _v21_ctx(**quirks: bool) -> CircuitContext:
    p = derive(ChipConfig.model_validate({**chip_from_v21_params({}).model_dump(), "quirks": quirks}))
    return CircuitContext.of(p)


def test_v21_repeaters_sum_their_on_resistances():
    faithful = size_repeaters(_v21_ctx(v21_repeater_delay=False), 0.1, Relax.HALVE)
    v21 = size_repeaters(_v21_ctx(), 0.1, Relax.HALVE)
    assert v21.inverter.wire_elmore == 0.5 and faithful.inverter.wire_elmore == 0.54
    for rep, ctx, share in ((v21, _v21_ctx(), 1.0), (faithful, _v21_ctx(v21_repeater_delay=False), 0.5)):
        t, tech = ctx.temperature, ctx.tech
        both = on_resistance(rep.width_n, Mos.NMOS, t, tech) + on_resistance(rep.width_p, Mos.PMOS, t, tech)
        assert rep.inverter.res_on == pytest.approx(share * both)
    assert v21.delay_per_length(1e6) > faithful.delay_per_length(1e6)


def test_v21_htree_times_a_level_with_the_previous_level_wire():
    """V2.1 reads the wire resistance of the level before (none at the first level) for both segments of a level."""
    trees = {on: HTree(_v21_ctx(v21_htree_stale_wire_resistance=on), 4, 4, 0.1, 256) for on in (True, False)}
    rep, ctx = trees[True].repeaters, trees[True].ctx
    h, w = 2e-4, 3e-4
    first = rep.segment_delay(2 * h, 0.0) + rep.segment_delay(2 * w, 0.0)
    left = wire_resistance_per_length(ctx, 2 * w)
    second = rep.segment_delay(h, left) + rep.segment_delay(w, left)
    main_bus = trees[True].main_bus_units * w * rep.delay_per_length(left)
    assert trees[True].latency(h, w, 1, 1e9) == pytest.approx(first + second + main_bus, rel=1e-12)
    assert trees[True].latency(h, w, 1, 1e9) < trees[False].latency(h, w, 1, 1e9)


def test_v21_htree_first_level_takes_the_stale_resistance_it_is_given():
    """What the uninitialised variable holds at the call times the first level (and only it) under the quirk."""
    trees = {on: HTree(_v21_ctx(v21_htree_stale_wire_resistance=on), 4, 4, 0.1, 256) for on in (True, False)}
    rep, ctx = trees[True].repeaters, trees[True].ctx
    h, w, stale = 2e-4, 3e-4, 5e4
    left = wire_resistance_per_length(ctx, 2 * w)
    first = rep.segment_delay(2 * h, stale) + rep.segment_delay(2 * w, stale)
    main_bus = trees[True].main_bus_units * w * rep.delay_per_length(left)
    rest = rep.segment_delay(h, left) + rep.segment_delay(w, left) + main_bus
    assert trees[True].latency(h, w, 3, 1e9, stale) == pytest.approx(3 * (first + rest), rel=1e-12)
    assert trees[True].latency(h, w, 1, 1e9, stale) > trees[True].latency(h, w, 1, 1e9)
    assert trees[False].latency(h, w, 1, 1e9, stale) == trees[False].latency(h, w, 1, 1e9)  # faithful: no stale value


def test_v21_htree_root_sits_log2_units_from_the_grid_edge():
    """V2.1 roots a tree floor(log2(min(rows, cols))) units in: a 5 x 5 grid's main bus is 2 units (V1.4: 4)."""
    for grid, v21, faithful in (((5, 5), 2, 4), ((4, 4), 2, 2), ((8, 3), 1, 4), ((1, 1), 0, 0), ((2, 2), 1, 1)):
        trees = {on: HTree(_v21_ctx(v21_htree_root_log2=on), *grid, 0.1, 256) for on in (True, False)}
        assert (trees[True].main_bus_units, trees[False].main_bus_units) == (v21, faithful), grid
    trees = {on: HTree(_v21_ctx(v21_htree_root_log2=on), 5, 5, 0.1, 256) for on in (True, False)}
    areas = {on: tree.layout(2e-4, 3e-4, 16).area for on, tree in trees.items()}
    assert areas[True] < areas[False]
    assert trees[True].latency(2e-4, 3e-4, 1, 1e9) < trees[False].latency(2e-4, 3e-4, 1, 1e9)


def test_v21_mux_decoders_enable_through_address_size_inverters():
    """V2.1's mux decoder has no output driver: its enable stage is two address-size inverters (V1.4: drivers sized
    by the node's mux factor, 110x at 22 nm), in area, delay and energy alike."""
    node22 = chip_from_v21_params({"technode": 22, "featuresize": 32e-9, "wireWidth": 32}).model_dump()
    # V1.4's gate sizes in both (v21_decoder_sizing: tests/unit/test_sram_v21.py)
    quirks = {on: {"v21_mux_enable_inverters": on, "v21_decoder_sizing": False} for on in (True, False)}
    chips = {on: ChipConfig.model_validate({**node22, "quirks": quirks[on]}) for on in (True, False)}
    decoders = {on: RowDecoder(CircuitContext.of(derive(c)), DecoderMode.REGULAR_ROW, 3, True, False)
                for on, c in chips.items()}  # fmt: skip
    v21, v14 = decoders[True], decoders[False]
    assert v21.width_enable == v21.width_inv and v14.width_enable == v14.width_driver
    assert v14.width_driver[0] > 40 * v21.width_inv[0]
    for d in decoders.values():
        d.layout(1e-5)
    assert v21.area < v14.area and v21.energy(1) < v14.energy(1)
    assert v21.latency(1e20, 1e-15, 1e-15, 0.0, 1, 1) != v14.latency(1e20, 1e-15, 1e-15, 0.0, 1, 1)
    word_line = {on: RowDecoder(CircuitContext.of(derive(c)), DecoderMode.REGULAR_ROW, 3, False, False)
                 for on, c in chips.items()}  # fmt: skip
    assert word_line[True].width_driver == word_line[False].width_driver  # only mux decoders change


def test_v21_wires_and_transistors_are_its_own():
    p = derive(chip_from_v21_params({}))
    assert p.wires.wire_width_nm == 40 and p.feature_size_m == pytest.approx(40e-9)
    assert p.wires.unit_resistance == pytest.approx(4.03e-8 / (40e-9**2 * 1.9))
    assert p.r_access_ohm == 15e3
    faithful = derive(ChipConfig(technology={"node_nm": 32}))
    assert faithful.wires.wire_width_nm == 56 and faithful.r_access_ohm != 15e3
    tech = load_technology(32, v21=True)
    assert tech.phy_gate_length == 3.4e-8 and load_technology(32).phy_gate_length == 2.8e-8
    with pytest.raises(ValueError, match="nodes 130, 90, 65, 45, 32, 22, 14, 10, 7 nm, not 5 nm"):
        load_technology(5, v21=True)
    with pytest.raises(InputError, match="technology.node_nm=5 has no NeuroSim V2.1 transistor and wire data"):
        estimate(ChipConfig(technology={"node_nm": 5}, compat="neurosim_v21"), small_workload())


@pytest.fixture(scope="module")
def v21_reference():
    """The V2.1 reference traces as a prepared workload and the inference-only case (t23)."""
    path = REF / "traces" / "vgg8_v21_seed117.npz"
    if not path.is_file():
        pytest.skip("NeuroSim V2.1 reference traces not present")
    traces = read_training_npz(path)
    expected = json.loads((REF / "cases" / "t23_inference_only" / "expected.json").read_text())
    return prepare(traces.network, traces.forward_traces), expected


def _dev(got: float, want: float) -> float:
    return abs(got - want) / want


def test_inference_only_case_floorplan_area_and_leakage(v21_reference):
    """Regression guard of the V2.1 forward gap on t23: floorplan exact, area and its parts within 6 %, layer
    leakage within 2 % (docs/compat_quirks.md lists what compat neurosim_v21 reproduces)."""
    workload, expected = v21_reference
    report = estimate(chip_from_v21_params(_params("t23_inference_only")), workload)
    for key in ("num_tiles", "speedup", "utilization"):
        assert [getattr(r, key) for r in report.layers] == pytest.approx(expected["floorplan"][key], rel=1e-5)
    assert _dev(report.chip.area_m2, expected["chip"]["area_m2"]) < 0.01
    for key, want in expected["chip"]["area_breakdown_m2"].items():
        if key != "weight_gradient":
            assert _dev(getattr(report.chip.area_breakdown_m2, key), want) < 0.06, key
    for got, want in zip(report.layers, expected["layers"], strict=True):
        assert _dev(got.leakage_power_w, want["leakage_power_w"]) < 0.02, got.layer


def test_inference_only_case_forward_latency_and_energy(v21_reference):
    """Regression guard: forward latency within 8 % per layer, ADC latency within 1 % and ADC energy within 6 % (V2.1's
    per-read sense-amp time and power), array 'other' latency within 17 % (V2.1's WL switch register) and peak
    latency within 5 %, interconnect latency within 5 %; energy within 7 % and buffer energy within 15 % per layer
    (V2.1's DFF buffers clock every flip-flop per access, its PE buffers once per word)."""
    workload, expected = v21_reference
    chip = chip_from_v21_params(_params("t23_inference_only"))
    report = estimate(chip, workload)
    phases = forward_phase(report, image_loads(chip, workload.layers))
    for record, fw, want in zip(report.layers, phases, expected["layers"], strict=True):
        assert _dev(fw.total.latency_s, want["training"]["forward"]["latency_s"]) < 0.08, fw.layer
        assert _dev(record.latency_breakdown_s.adc, want["latency_breakdown_s"]["adc"]) < 0.01, fw.layer
        assert _dev(fw.latency_s.other, want["latency_breakdown_s"]["other"]) < 0.17, fw.layer
        assert _dev(fw.peak.latency_s, want["peak"]["forward"]["latency_s"]) < 0.05, fw.layer
        assert _dev(fw.latency_s.interconnect, want["latency_breakdown_s"]["interconnect"]) < 0.05, fw.layer
        assert _dev(record.energy_breakdown_j.adc, want["energy_breakdown_j"]["adc"]) < 0.06, fw.layer
        assert _dev(fw.total.energy_j, want["training"]["forward"]["energy_j"]) < 0.07, fw.layer
        assert _dev(record.energy_breakdown_j.buffer, want["energy_breakdown_j"]["buffer"]) < 0.15, fw.layer
        assert fw.peak.latency_s <= fw.total.latency_s and fw.peak.energy_j <= fw.total.energy_j


def test_forward_view_splits_array_from_buffer_and_interconnect(v21_reference):
    workload, _ = v21_reference
    report = estimate(chip_from_v21_params(_params("t23_inference_only")), workload)
    for record, fw in zip(report.layers, forward_phase(report), strict=True):
        b = record.latency_breakdown_s
        assert fw.latency_s.other == pytest.approx(b.other - b.buffer - b.interconnect)
        assert fw.peak.latency_s == pytest.approx(b.adc + b.accumulation + fw.latency_s.other)
        assert fw.total.latency_s == record.latency_s


def _v21_subarray(quirks: dict[str, bool] | None = None) -> SubArray:
    chip = chip_from_v21_params({})
    if quirks:
        chip = ChipConfig.model_validate({**chip.model_dump(), "quirks": quirks})
    p = build_context(chip).p
    return SubArray(build_context(chip), p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)


def test_v21_read_converts_in_its_slowest_columns_time():
    """compat neurosim_v21: a read's ADC latency takes the per-read sense-amp time of the element-wise law (slowest
    column, clamped to 1-10 ns) in place of the MLSA's fixed conversion time; the rest of the read is unchanged."""
    sub, plain = _v21_subarray(), _v21_subarray({"v21_mlsa_read_time": False})
    p = sub.ctx.p
    rng = np.random.default_rng(5)
    r = p.chip.cell.r_on_ohm / rng.uniform(0.5, 40.0, size=(6, p.chip.array.cols))
    r[1] = np.inf  # no conducting row: the clamp's 1 ns
    act = np.full(len(r), 0.3)
    timing = MlsaTimingV21.build(
        v21_references(p.chip.adc.levels, p.chip.cell.r_on_ohm, p.chip.cell.r_off_ohm, p.chip.array.rows),
        p.chip.technology.node_nm, p.chip.technology.roadmap is Roadmap.LSTP,
        p.chip.adc.sense_mode is SenseMode.CURRENT, p.read_voltage_v, p.chip.technology.temperature_k,
    )  # fmt: skip
    per_read = timing.read_latency(r)
    assert per_read[1] == 1e-9 and len(set(per_read.tolist())) == len(r) and (per_read <= 10e-9).all()
    got, fixed = sub.vector_reads(act, r, 1e9), plain.vector_reads(act, r, 1e9)
    scale = sub.cols_muxed * p.beta * sub.num_add
    conversion = sub.mode.adc.flash.latency(1, 1)
    assert got[:, 1] == pytest.approx(fixed[:, 1] + (per_read - conversion) * scale, rel=1e-12)
    assert (got[:, 3] == fixed[:, 3]).all() and (got[:, 6:] == fixed[:, 6:]).all()  # other latency and energies
    # the ADC energy: every column's V2.1 power for its read's time, in place of the converter's energy
    converter_j = adc_energy_per_vector(sub.mode.adc.converter, r)
    assert got[:, 5] - fixed[:, 5] == pytest.approx((timing.read_energy(r) - converter_j) * sub.num_add, rel=1e-9)
    total = sub.read(act, r, 1e9, counts=np.arange(1, 7))
    assert total.latency_adc == pytest.approx(got[:, 1] @ np.arange(1, 7), rel=1e-12)


def test_v21_read_energy_is_each_columns_power_for_the_reads_time():
    """V2.1's MLSA energy of a read, element by element: P(R) = comparators x per-comparator power + k R^(exponent /
    ln 10) at R scaled to 0.5 V, 1 uW for a column with no conducting row, 0 for R = 0, times the read's time."""
    refs = v21_references(8, 240e3, 2.4e6, 128)
    timing = MlsaTimingV21.build(refs, 32, True, True, 0.25, 310)
    r = np.array([[2e3, 5e4, np.inf, 0.0], [np.inf, np.inf, np.inf, np.inf]])
    scaled = r[0, :2] * 2.0  # read at 0.25 V: R as at the fits' 0.5 V
    power = 7 * 3.0875e-6 + 0.0649 * np.exp(-2.297 * np.log10(scaled))
    want = np.append(power, [1e-6, 0.0]) * (1 + 1.3e-3 * 10)
    assert timing.column_power(r[0]) == pytest.approx(want, rel=1e-12)
    t = timing.read_latency(r)
    assert t[1] == 1e-9 and 1e-9 <= t[0] <= 10e-9
    assert timing.read_energy(r) == pytest.approx([want.sum() * t[0], 4 * 1e-6 * 1.013 * 1e-9], rel=1e-12)
    hp_voltage = MlsaTimingV21.build(refs, 32, False, False, 0.5)
    assert hp_voltage.read_latency(r).tolist() == [1e-9, 1e-9]  # voltage sensing: V2.1's fixed 1 ns
    assert hp_voltage.column_power(r[0, :1]) == pytest.approx(7 * 4.76e-6 + 0.083709 * np.exp(-2.313 * np.log10(2e3)))


def test_v21_wl_switch_matrix_adds_its_register_half_clock_per_read():
    array = _v21_subarray().mode
    switch, geo = array.wl_new_switch, array.geo
    one = switch.v21_latency(geo.cap_row2, geo.res_row, 1, 1e9)
    assert 0.5e-9 < one < 0.6e-9  # half a 1 GHz clock plus the TG charging the row
    assert switch.v21_latency(geo.cap_row2, geo.res_row, 8, 1e9) == pytest.approx(8 * one)
    assert switch.v21_latency(geo.cap_row2, geo.res_row, 1, 2e9) == pytest.approx(one - 0.25e-9)
    on = array.vector_latency(1e9)[2]
    off = _v21_subarray({"v21_read_other_latency": False}).mode.vector_latency(1e9)[2]
    ncm, pulses = array.cols_muxed, array.ctx.p.chip.precision.input_bits
    mux = array.column_mux.latency() * ncm / pulses
    assert on == pytest.approx(max(ncm * one, mux) + array.col_delay() * ncm / pulses)
    assert on != off


def test_v21_sizes_the_source_line_switch_for_a_quarter_of_a_cells_on_resistance():
    """v21_switch_matrix_sizing: the source-line TGs target 0.25 x one cell's on-resistance from the Vdsat-multiplied
    on-resistance of a 1 F device, narrower than F here (32 nm, 240 kOhm), and take the target as their resistance;
    V1.4's sizing keeps them at least F wide with a smaller resistance and a larger drain."""
    v21, v14 = _v21_subarray().mode, _v21_subarray({"v21_switch_matrix_sizing": False}).mode
    switch, geo, ctx = v21.sl_switch, v21.geo, v21.ctx
    f = ctx.tech.feature_size
    assert switch.res_tg == pytest.approx(0.25 * geo.res_mem_cell_on)
    want_n = on_resistance(f, Mos.NMOS, ctx.temperature, ctx.tech) * f * 0.2 / (2 * switch.res_tg)
    assert switch.width_tg_n == pytest.approx(want_n) and switch.width_tg_n < f
    assert v14.sl_switch.width_tg_n >= f and v14.sl_switch.res_tg < switch.res_tg
    assert 0 < switch.cap_tg_drain < v14.sl_switch.cap_tg_drain


def test_v21_tile_accumulation_has_one_tree_per_sub_array_read_out_per_pe():
    """v21_tile_accumulation_trees: PEs x sub-array columns / columns per ADC trees (a conventional tile counts its
    PEs along one side), so its leakage and energy scale by that count over V1.4's PE-size count."""
    from neurocim.estimate import ChipModel

    chips = {
        on: ChipModel(build_context(ChipConfig.model_validate({**chip_from_v21_params({}).model_dump(),
                                                                "quirks": {"v21_tile_accumulation_trees": on}})),
                      list(SMALL))
        for on in (True, False)
    }  # fmt: skip
    p = chips[True].ctx.p
    for kind in ("tile_cm", "tile_nm"):
        on, off = getattr(chips[True], kind), getattr(chips[False], kind)
        trees = on.num_pe * p.chip.array.cols / p.cols_muxed
        old = (1 if on.novel else on.num_pe) * on.pe_size / p.cols_muxed
        assert on.accumulation.leakage_for(2) == pytest.approx(off.accumulation.leakage_for(2) * trees / old)


def test_v21_crossbar_read_times_its_word_line_switch_matrix_not_the_mux_per_column():
    """v21_read_other_latency on a crossbar (accesstype 4): the non-ADC time is the slower of the WL switch matrix
    (three drain loads and the word line, plus half a clock of its register per read) and the column mux over the
    input's bit pulses, plus the muxed columns' settling over the pulses; the settling leaves the ADC time."""
    chip = chip_from_v21_params({"accesstype": 4})
    ctx = build_context(chip)
    p = ctx.p
    array = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9).mode
    off_chip = ChipConfig.model_validate({**chip.model_dump(), "quirks": {"v21_read_other_latency": False}})
    off_ctx = build_context(off_chip)
    off = SubArray(off_ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9).mode
    assert array.wl_new_switch is None and array.wl_switch is not None
    switch, geo = array.wl_switch, array.geo
    one = switch.v21_latency(geo.cap_row1, geo.res_row, 1, 1e9)
    assert 0.5e-9 < one < 0.6e-9  # half a 1 GHz clock plus the TG charging the word line
    assert switch.v21_latency(geo.cap_row1, geo.res_row, 8, 1e9) == pytest.approx(8 * one)
    ncm, pulses = array.cols_muxed, p.chip.precision.input_bits
    adc, _, other = array.vector_latency(1e9)
    mux = array.column_mux.latency() * ncm / pulses
    assert other == pytest.approx(max(ncm * one, mux) + array.col_delay() * ncm / pulses)
    adc_off, _, other_off = off.vector_latency(1e9)
    assert adc == pytest.approx(adc_off - array.col_delay() * ncm * p.beta * array.num_add)
    assert other < other_off  # V1.4 times the mux once per muxed column, not over the pulses
