"""compat neurosim_v21: the training-cost quantities this package computes, against every NeuroSim V2.1 reference case.

Compared here: the training settings imported from each case's parameters, the operation count, the DRAM entry of
the breakdown (latency and energy, per layer), the arrays written in parallel, the weight update's peak and total
latency and energy per layer, the weight gradient's data movement (its total less its peak: the global buffer and
DRAM passes) per layer, the training chip's area and its parts, the leakage the transposed read-out adds per tile and
each layer's leakage, the interconnect per layer (every pass over the grown layout) and the forward and
activation-gradient phases of the chip and of every layer, in total, compute only and by part.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from neurocim.compat.param_cpp import config_dict_from_params
from neurocim.compat.param_cpp_v21_training import load_v21_params_json, training_from_v21_params
from neurocim.compat.param_schema import SPECS
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive
from neurocim.estimate import ChipModel, build_context
from neurocim.training_cost.ag_pass import ActivationGradientPass
from neurocim.training_cost.backprop import TransposedReadout
from neurocim.training_cost.dram import Dram, layer_dram
from neurocim.training_cost.epoch import operations
from neurocim.training_cost.estimate import TrainingWorkload
from neurocim.training_cost.gradients import readout_tile_leakage_w, training_area
from neurocim.training_cost.weight_gradient import WeightGradientUnit
from neurocim.training_cost.weight_update import WeightUpdate, inference_buffer_bits, write_parallelism
from neurocim.workload.training_traces import read_training_npz

REF = Path(__file__).resolve().parents[3] / "shared" / "reference" / "neurosim_v21"
CASES = sorted(p.name for p in (REF / "cases").iterdir()) if (REF / "cases").is_dir() else []
pytestmark = pytest.mark.skipif(not CASES, reason="NeuroSim V2.1 reference outputs not present")


def _case(case: str) -> tuple[dict, dict]:
    folder = REF / "cases" / case
    return json.loads((folder / "params.json").read_text()), json.loads((folder / "expected.json").read_text())


def _training_cases() -> list[str]:
    out = []
    for case in CASES:
        params, expected = _case(case)
        if expected["case"]["status"] == "ok" and params["trainingEstimation"]:
            out.append(case)
    return out


TRAINING = _training_cases() if CASES else []
# the chips today's importer builds (V1.4 names; t03's 8x20 F^2 SRAM cell at 32 nm is refused by it)
BUILT = [c for c in TRAINING if c != "t03_sram"]
# (case, 0-based layer) -> reason the reference's update latency is not a model value
UNDEFINED = {
    ("t07_fefet_cellbit2", 2): "the reference reads past the weight matrix (novel-mapping tile of 384 of 768 columns)",
    ("t07_fefet_cellbit2", 3): "the reference reads past the weight matrix (novel-mapping tile of 384 of 768 columns)",
}


@pytest.fixture(scope="module")
def traces():
    return read_training_npz(REF / "traces" / "vgg8_v21_seed117.npz")


@pytest.fixture(scope="module")
def epochs(traces):
    """Per case, the epoch report neurocim gives for the case's parameters (one prepared workload for all)."""
    from neurocim.compat.param_cpp_v21_training import load_v21_params_json

    workload, found = TrainingWorkload(traces), {}

    def epoch(case: str) -> dict:
        if case not in found:
            chip = load_v21_params_json(REF / "cases" / case / "params.json")
            found[case] = workload.estimate(chip).report.to_dict()
        return found[case]

    return epoch


def _epoch_cases(exclude=()) -> list:
    """The training cases, the default chip in every run and the others with the slow tests."""
    cases = [c for c in TRAINING if c not in exclude]
    return [c if c == "t01_default" else pytest.param(c, marks=pytest.mark.slow) for c in cases]


def _movement(layer: dict, phase: str, quantity: str) -> float:
    """A phase's cost less its compute-only peak: the data it moves."""
    return layer["training"][phase][quantity] - layer["peak"][phase][quantity]


def _gradient_bits(params: dict, layers) -> int:
    """The weight-gradient unit's output precision in V2.1: ADC (or row) bits + input bits + adder-tree stages."""
    big = max(layers, key=lambda layer: layer.ifm_h * layer.ifm_w * layer.in_channels)
    rows = (big.ifm_h - big.kernel_h + 1) * (big.ifm_w - big.kernel_w + 1)
    stages = math.ceil(math.log2(math.ceil(rows / params["numRowSubArrayWG"])))
    adc = math.log2(params["levelOutputWG"]) if params["parallelBP"] else math.log2(params["numRowSubArrayWG"])
    return int(adc + params["numBitInput"] + stages)


def _chip(params: dict) -> ChipConfig:
    known = {k: v for k, v in params.items() if k in SPECS}
    chip = ChipConfig.model_validate({**config_dict_from_params(known), "compat": "neurosim_v21"})
    return chip.model_copy(update={"training": training_from_v21_params(params)})


@pytest.mark.parametrize("case", CASES)
def test_training_settings_import(case):
    params, _ = _case(case)
    training = training_from_v21_params(params)
    assert training.enabled == params["trainingEstimation"]
    assert training.images_per_epoch == params["batchSize"] * params["numIteration"]


@pytest.mark.parametrize("case", TRAINING)
def test_operation_count(case, traces):
    params, expected = _case(case)
    p = derive(ChipConfig(compat="neurosim_v21"))
    layers = traces.network
    ops = operations(layers, [x.num_windows for x in layers], p, training_from_v21_params(params))
    assert ops == expected["derived"]["num_operations"]


@pytest.mark.parametrize("case", TRAINING)
def test_dram_breakdown_per_layer(case, traces):
    params, expected = _case(case)
    training = training_from_v21_params(params)
    p = derive(ChipConfig(compat="neurosim_v21"))
    dram = Dram.from_config(training.dram)
    bits = _gradient_bits(params, traces.network)
    for i, layer in enumerate(traces.network):
        t, e = layer_dram(dram, layer, i == 0, p, bits).reported
        ref = expected["layers"][i]
        assert t * training.images_per_epoch == pytest.approx(ref["latency_breakdown_s"]["dram"], rel=1e-5)
        assert e * training.images_per_epoch == pytest.approx(ref["energy_breakdown_j"]["dram"], rel=1e-5)


@pytest.mark.parametrize("case", BUILT)
def test_weight_update_peak_latency_per_layer(case, traces):
    params, expected = _case(case)
    config = _chip(params)
    ctx = build_context(config)
    chip = ChipModel(ctx, traces.network)
    training = config.training
    buffer_bits = inference_buffer_bits(ctx.p, traces.network)
    parallel = write_parallelism(ctx.p, training, buffer_bits, _gradient_bits(params, traces.network))
    if ctx.p.cols_per_weight == 1:
        # the gradient buffer sized with a 0-bit gradient: floor(8 bits (log2 batch) / 5 weight bits) = 1 array,
        # doubled three times before it reaches the inference buffer (V2.1 prints no such number; it follows)
        assert parallel == 8
    update = WeightUpdate(chip, training)
    for i, layer in enumerate(traces.layers):
        got = update.layer(i, layer.trace.weights, layer.old_weights)
        ref = expected["layers"][i]["peak"]["weight_update"]["latency_s"]
        ours = got.serial_latency_s / parallel * training.iterations_per_epoch
        if (case, i) in UNDEFINED:
            assert ref > 100 * ours, UNDEFINED[(case, i)]
            continue
        assert ours == pytest.approx(ref, rel=0.005), f"layer {i + 1}"
        assert got.peak_energy_j > 0 and got.energy_j >= got.peak_energy_j


@pytest.mark.parametrize("case", TRAINING)
def test_training_chip_area_and_parts(case, traces):
    """The forward chip grown by the transposed read-out in every sub-array (and the PEs, tiles, H-trees and global
    buffer around them) plus the weight-gradient unit: the chip area and each part within 1 % (SRAM: with V2.1's
    unfolded rows of the read-out's precharger and write driver widening the sub-arrays the PEs' adder trees span)."""
    _, expected = _case(case)
    config = load_v21_params_json(REF / "cases" / case / "params.json")
    ctx = build_context(config)
    chip = ChipModel(ctx, traces.network)
    readout = TransposedReadout(ctx, config.training)
    area = training_area(chip, config.training, traces.network, readout.area).parts_m2
    assert sum(area.values()) == pytest.approx(expected["chip"]["area_m2"], rel=0.01)
    for part, want in expected["chip"]["area_breakdown_m2"].items():
        assert area[part] == pytest.approx(want, rel=0.01), part


def test_readout_leakage_per_tile(traces):
    """t01 and t23 differ only in trainingEstimation: per tile, the leakage the transposed read-out adds is their
    difference, within 2 % (none in the first layer's tiles)."""
    (_, training), (_, inference) = _case("t01_default"), _case("t23_inference_only")
    config = load_v21_params_json(REF / "cases" / "t01_default" / "params.json")
    ag = ActivationGradientPass(ChipModel(build_context(config), traces.network), config.training)
    added = readout_tile_leakage_w(ag, len(traces.network))
    assert added[0] == 0.0
    for i, (want, base) in enumerate(zip(training["layers"], inference["layers"], strict=True)):
        per_tile = (want["leakage_power_w"] - base["leakage_power_w"]) / want["num_tiles"]
        assert added[i] == pytest.approx(per_tile, rel=0.02, abs=1e-9), f"layer {i + 1}"


@pytest.mark.parametrize("case", TRAINING)
def test_weight_gradient_unit_peak_per_layer(case, traces):
    """The weight-gradient unit's compute alone (NeuroSim's peak: activations written, errors read out in parallel or
    row by row, the tree across arrays and the batch accumulator; no buffer or DRAM) on each layer's recorded
    activity: latency within 1 %, energy within 2 %, per layer."""
    _, expected = _case(case)
    config = load_v21_params_json(REF / "cases" / case / "params.json")
    unit = WeightGradientUnit(build_context(config), config.training, traces.network)
    images = config.training.images_per_epoch
    for i, (layer, ref) in enumerate(zip(traces.layers, expected["layers"], strict=True)):
        got, want = unit.layer_cost(i, layer.activity).cost, ref["peak"]["weight_gradient"]
        assert got.latency * images == pytest.approx(want["latency_s"], rel=0.01), f"layer {i + 1}"
        assert got.energy * images == pytest.approx(want["energy_j"], rel=0.02), f"layer {i + 1}"


@pytest.mark.parametrize("case", _epoch_cases())
def test_weight_gradient_peak_of_the_estimate(case, epochs):
    """The epoch report's weight-gradient peak and its breakdown entry, per layer and for the chip: latency within
    1 %, energy within 2 %."""
    _, expected = _case(case)
    report = epochs(case)
    rows = [(report["chip"], expected["chip"])] + list(zip(report["layers"], expected["layers"], strict=True))
    checks = (("latency_s", "latency_breakdown_s", 0.01), ("energy_j", "energy_breakdown_j", 0.02))
    for got, ref in rows:
        where = got.get("layer", "chip")
        for quantity, breakdown, rel in checks:
            want = ref["peak"]["weight_gradient"][quantity]
            assert got["peak"]["weight_gradient"][quantity] == pytest.approx(want, rel=rel), (where, quantity)
            want = ref[breakdown]["weight_gradient"]
            assert got[breakdown]["weight_gradient"] == pytest.approx(want, rel=rel), (where, breakdown)


@pytest.mark.parametrize("case", _epoch_cases())
def test_weight_gradient_buffer_and_dram_passes_per_layer(case, epochs):
    """Activations and errors through the global buffer twice, the gradients out to DRAM and back through it: within
    0.1 % per layer at every node (V2.1's buffer decoder, quirk v21_decoder_sizing; V1.4's was 3.6-4 % slow at
    22 nm, 0.7 % fast at 32 nm)."""
    _, expected = _case(case)
    for got, ref in zip(epochs(case)["layers"], expected["layers"], strict=True):
        for quantity, rel in (("latency_s", 1e-3), ("energy_j", 1e-3)):
            want = _movement(ref, "weight_gradient", quantity)
            assert _movement(got, "weight_gradient", quantity) == pytest.approx(want, rel=rel), (got["layer"], quantity)


# t03's layers 3 and 4 -> the band their update's peak latency lies in, short of V2.1's: the PEs of their first two
# tiles write past their share of the columns (wu_novel_tile_nominal_columns), where V2.1 reads undefined memory (old
# weights: freed heap chunks), which differs from the new in more rows than the matrix's next columns do
SRAM_UPDATE_OPEN = {2: (0.94, 1.0), 3: (0.88, 1.0)}


@pytest.mark.slow
def test_sram_update_writes(epochs):
    """An SRAM update (t03): rows written one after another, each selected, flipped, precharged and driven, the
    forward read's scan register clocked per written sub-array, and a novel-mapped tile's PEs written at the tile's
    nominal width: latency and energy within 0.5 % on every layer but 3 and 4 (SRAM_UPDATE_OPEN; energy within
    1.5 %), the chip's within 1 %."""
    expected, got = _case("t03_sram")[1], epochs("t03_sram")

    def peak(report: dict, quantity: str) -> float:
        return report["peak"]["weight_update"][quantity]

    for quantity in ("latency_s", "energy_j"):
        assert peak(got["chip"], quantity) == pytest.approx(peak(expected["chip"], quantity), rel=0.01), quantity
    for i, (want, have) in enumerate(zip(expected["layers"], got["layers"], strict=True)):
        if i in SRAM_UPDATE_OPEN:
            low, high = SRAM_UPDATE_OPEN[i]
            assert low < peak(have, "latency_s") / peak(want, "latency_s") < high, i + 1
            assert peak(have, "energy_j") == pytest.approx(peak(want, "energy_j"), rel=0.015), i + 1
            continue
        for quantity in ("latency_s", "energy_j"):
            assert peak(have, quantity) == pytest.approx(peak(want, quantity), rel=0.005), (i + 1, quantity)


@pytest.mark.parametrize("case", _epoch_cases())
def test_forward_data_movement_per_layer(case, epochs):
    """The forward phase less its peak (the buffers' and interconnect's time, V2.1's buffer decoder at every node):
    within 1 % per layer (V1.4's decoder: 0.8-2.3 % long)."""
    _, expected = _case(case)
    for i, (got, ref) in enumerate(zip(epochs(case)["layers"], expected["layers"], strict=True)):
        want = _movement(ref, "forward", "latency_s")
        assert _movement(got, "forward", "latency_s") == pytest.approx(want, rel=0.01), f"layer {i + 1}"


@pytest.mark.parametrize("case", _epoch_cases())
def test_buffer_breakdown_per_layer(case, epochs):
    """The buffers' entry of the breakdown (PE, tile and global buffers over every phase, the update's delta-weight
    transfer): energy within 0.5 % per layer (V1.4's decoder: 6-16 % high; a PE output buffer as wide as its adder
    tree's sums, without quirk v21_pe_output_buffer_drops_bit: up to +4.5 %), latency within 1 %."""
    _, expected = _case(case)
    for i, (got, ref) in enumerate(zip(epochs(case)["layers"], expected["layers"], strict=True)):
        want = ref["energy_breakdown_j"]["buffer"]
        assert got["energy_breakdown_j"]["buffer"] == pytest.approx(want, rel=0.005), f"layer {i + 1}"
        want = ref["latency_breakdown_s"]["buffer"]
        assert got["latency_breakdown_s"]["buffer"] == pytest.approx(want, rel=0.01), f"layer {i + 1}"


@pytest.mark.parametrize("case", _epoch_cases())
def test_weight_update_latency_per_layer(case, epochs):
    """The update's writes and its delta-weight transfer, both over the arrays written in parallel, per iteration."""
    _, expected = _case(case)
    for i, (got, ref) in enumerate(zip(epochs(case)["layers"], expected["layers"], strict=True)):
        if (case, i) in UNDEFINED:
            continue
        want = ref["training"]["weight_update"]["latency_s"]
        assert got["training"]["weight_update"]["latency_s"] == pytest.approx(want, rel=0.01)


# t07: see UNDEFINED (its layers 3-4 read past the matrix in the forward read too)
@pytest.mark.parametrize("case", _epoch_cases())
def test_adc_breakdown_per_layer(case, epochs):
    """The forward and transposed read-outs' converters (V2.1's sense-amp time law, parallel or sequential): latency
    within 1 % per layer, energy within 0.5 % (the first layer's 27-row blocks with V2.1's row activity over the
    mapped rows; 2-bit cells with V2.1's running-quotient weight digits; SRAM blocks reaching past their tile's
    share of the columns read out at their full width, as the forward read; eNVM bit lines charged per parallel
    read vector)."""
    _, expected = _case(case)
    for i, (got, ref) in enumerate(zip(epochs(case)["layers"], expected["layers"], strict=True)):
        if (case, i) in UNDEFINED:
            continue
        want = ref["latency_breakdown_s"]["adc"]
        assert got["latency_breakdown_s"]["adc"] == pytest.approx(want, rel=0.01), f"layer {i + 1}"
        want = ref["energy_breakdown_j"]["adc"]
        assert got["energy_breakdown_j"]["adc"] == pytest.approx(want, rel=0.005), f"layer {i + 1}"


def test_sram_read_breakdown_per_layer(epochs):
    """The SRAM chip (t03): its transposed read-out books the precharge and the row settling (once per vector) to
    the converters and counts its input shift-adds as V2.1 does: the ADC, accumulation and "other" read time within
    1 % per layer and for the chip (the last layer's accumulation time excepted: +42 %, its forward read); charging
    the read-out's word-line switches at the forward activity, the accumulation and "other" energy within 2 %."""
    _, expected = _case("t03_sram")
    got = epochs("t03_sram")
    pairs = [(f"layer {i + 1}", g, r) for i, (g, r) in enumerate(zip(got["layers"], expected["layers"], strict=True))]
    for where, g, r in [*pairs, ("chip", got["chip"], expected["chip"])]:
        for part in ("adc", "other", "accumulation"):
            if (where, part) != ("layer 8", "accumulation"):
                want = r["latency_breakdown_s"][part]
                assert g["latency_breakdown_s"][part] == pytest.approx(want, rel=0.01), (where, part)
        for part in ("accumulation", "other"):
            want = r["energy_breakdown_j"][part]
            assert g["energy_breakdown_j"][part] == pytest.approx(want, rel=0.02), (where, part)


# t07: see UNDEFINED
@pytest.mark.parametrize("case", _epoch_cases())
def test_forward_and_activation_gradient_per_layer(case, epochs):
    """Per layer, the forward and activation-gradient phases in total and compute only ("peak"), and the parts of
    the read passes in the breakdown (accumulation, the arrays' other periphery, buffers): latency within 1 %,
    energy within 2 % (multi-cell weights with V2.1's shift-add and accumulation read counts)."""
    _, expected = _case(case)
    layers = zip(epochs(case)["layers"], expected["layers"], strict=True)
    for i, (got, ref) in enumerate(layers):
        if (case, i) in UNDEFINED:
            continue
        energy = 0.02
        for which in ("training", "peak"):
            for phase in ("forward", "activation_gradient"):
                for quantity, rel in (("latency_s", 0.01), ("energy_j", energy)):
                    want = ref[which][phase][quantity]
                    assert got[which][phase][quantity] == pytest.approx(want, rel=rel), (got["layer"], which, phase)
        for part in ("accumulation", "other", "buffer"):
            for key, rel in (("latency_breakdown_s", 0.01), ("energy_breakdown_j", 0.02)):
                assert got[key][part] == pytest.approx(ref[key][part], rel=rel), (got["layer"], key, part)


@pytest.mark.slow
def test_the_sequential_read_out_adds_its_steps_to_the_update_energy(epochs):
    """V2.1 books the column scan register of the last read-out as write energy: the sequential read-out (t13) adds
    its rows_per_adc x columns / 2 steps' clocking to the update energy of every layer past the first. Compared as
    the difference to the default case's (within 1 %), the rest of the update energy being the same in both."""
    seq, par = _case("t13_parallelBP_false")[1]["layers"], _case("t01_default")[1]["layers"]
    got_seq, got_par = epochs("t13_parallelBP_false")["layers"], epochs("t01_default")["layers"]

    def peak(layer: dict) -> float:
        return layer["peak"]["weight_update"]["energy_j"]

    for i in range(1, len(seq)):
        want = peak(seq[i]) - peak(par[i])
        assert want > 0
        assert peak(got_seq[i]) - peak(got_par[i]) == pytest.approx(want, rel=0.01), f"layer {i + 1}"


# the SRAM chip's updates (t03): layer 4 is 1.3 % short of V2.1's (SRAM_UPDATE_OPEN; the others within 0.9 %)
UPDATE_ENERGY_WIDER = {("t03_sram", 3): 0.015}


@pytest.mark.parametrize("case", _epoch_cases())
def test_update_energy_per_layer(case, epochs):
    """The update's energy per layer: its writes (cells, lines, switch matrices and scan registers as V2.1 books
    them; peak) within 1 %, and with the delta-weight transfer into the tiles within 2 %, on every cell type."""
    _, expected = _case(case)
    for i, (got, ref) in enumerate(zip(epochs(case)["layers"], expected["layers"], strict=True)):
        if (case, i) in UNDEFINED:
            continue
        peak, total = (ref[k]["weight_update"]["energy_j"] for k in ("peak", "training"))
        rel = UPDATE_ENERGY_WIDER.get((case, i), 0.01)
        assert got["peak"]["weight_update"]["energy_j"] == pytest.approx(peak, rel=rel), f"layer {i + 1}"
        assert got["training"]["weight_update"]["energy_j"] == pytest.approx(total, rel=0.02), f"layer {i + 1}"


@pytest.mark.parametrize("case", _epoch_cases())
def test_interconnect_per_layer(case, epochs):
    """The PE buses, tile H-trees and the chip's H-tree of every pass, laid out over the training chip's grown
    sub-arrays: latency within 0.02 % (the update's delta-weight transfer with the stale first-level resistance V2.1's
    tile H-tree reads, quirk wu_htree_stale_buffer_lines: up to 0.1 % without it), energy within 2 %, per layer."""
    _, expected = _case(case)
    for i, (got, ref) in enumerate(zip(epochs(case)["layers"], expected["layers"], strict=True)):
        for key, rel in (("latency_breakdown_s", 0.0002), ("energy_breakdown_j", 0.02)):
            want = ref[key]["interconnect"]
            assert got[key]["interconnect"] == pytest.approx(want, rel=rel), (i + 1, key)


@pytest.mark.parametrize("case", _epoch_cases(exclude=("t03_sram",)))
def test_the_classifier_layers_interconnect_and_read_phases(case, epochs):
    """The last (fully connected) layer, one tile whose loads and write-backs V2.1 rounds up together on the chip's
    H-tree (quirk v21_global_htree_one_transfer): its interconnect energy (every pass and the update's delta-weight
    transfer) and its forward and activation-gradient energy within 0.5 % on every eNVM case."""
    _, expected = _case(case)
    got, ref = epochs(case)["layers"][-1], expected["layers"][-1]
    want = ref["energy_breakdown_j"]["interconnect"]
    assert got["energy_breakdown_j"]["interconnect"] == pytest.approx(want, rel=0.005)
    for phase in ("forward", "activation_gradient"):
        want = ref["training"][phase]["energy_j"]
        assert got["training"][phase]["energy_j"] == pytest.approx(want, rel=0.005), phase


# (case, phase, quantity) -> why the chip's phase is not within 1 % (latency) / 2 % (energy)
PHASE_OPEN = {
    ("t07_fefet_cellbit2", "forward", "energy_j"): "layers 3-4 read past the weight matrix (UNDEFINED): -2.04 %",
}


@pytest.mark.parametrize("case", _epoch_cases())
def test_forward_and_activation_gradient_of_the_chip(case, epochs):
    """The forward and activation-gradient phases over the epoch: latency within 1 %, energy within 2 %."""
    _, expected = _case(case)
    got, want = epochs(case)["chip"]["training"], expected["chip"]["training"]
    for phase in ("forward", "activation_gradient"):
        for quantity, rel in (("latency_s", 0.01), ("energy_j", 0.02)):
            if (case, phase, quantity) in PHASE_OPEN:
                continue
            assert got[phase][quantity] == pytest.approx(want[phase][quantity], rel=rel), (phase, quantity)


# (case) -> tolerance of the leakage power and energy where it is tighter: the SRAM chip, whose running layer's own
# tiles leak nothing in V2.1 (v21_leakage_idle_tiles_only; its fully connected layer 7 was +78 % without it)
LEAKAGE_TIGHTER = {"t03_sram": 0.005}


@pytest.mark.parametrize("case", _epoch_cases())
def test_leakage_per_layer(case, epochs):
    """Each layer's leakage power (its tiles, the transposed read-out's included, V2.1's tile accumulation trees)
    within 2 %; its leakage energy, that power in the other layers' tiles over the forward and activation-gradient
    time, within 4 % past the first layer (the first layer's forward time is 3-4 % long)."""
    _, expected = _case(case)
    power_rel, energy_rel = LEAKAGE_TIGHTER.get(case, 0.02), LEAKAGE_TIGHTER.get(case, 0.04)
    for i, (got, ref) in enumerate(zip(epochs(case)["layers"], expected["layers"], strict=True)):
        assert got["leakage_power_w"] == pytest.approx(ref["leakage_power_w"], rel=power_rel), f"layer {i + 1}"
        if i > 0 or case in LEAKAGE_TIGHTER:
            want = ref["leakage_energy_j"]
            assert got["leakage_energy_j"] == pytest.approx(want, rel=energy_rel), f"layer {i + 1}"
