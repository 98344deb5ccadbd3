"""Data movement of a training epoch: global-buffer passes of every phase, the update's delta-weight transfer, and
NeuroSim V2.1's ways of charging them (each behind its quirk)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from neurocim.arch.chip import ChipModel
from neurocim.arch.chip_traffic import bits_moved, global_buffer_transfer, layer_traffic
from neurocim.circuits.adc.mlsa_encoder_v21 import MlsaEncoderV21
from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context
from neurocim.training_cost.estimate import TrainingWorkload
from neurocim.training_cost.forward import training_chip, training_forward
from neurocim.training_cost.gradients import BackpropHardware
from neurocim.training_cost.weight_gradient import WeightGradientUnit
from neurocim.training_cost.weight_update import WeightUpdate
from neurocim.workload.network import Layer
from neurocim.workload.training_traces import TrainingTraces
from tests.training_support import synthetic_training_traces

# three layers over unequal tile counts, so a layer's share of the chip's tiles is not 1
LAYERS = (
    Layer(8, 8, 16, 3, 3, 32, pooled=True, name="conv"),
    Layer(1, 1, 512, 1, 1, 256, name="fc1"),
    Layer(1, 1, 256, 1, 1, 10, name="fc2"),
)


@functools.cache
def _traces() -> TrainingTraces:
    return synthetic_training_traces(LAYERS, seed=5, drift=0.2)


def _chip(**quirks: bool) -> ChipConfig:
    chip = chip_from_v21_params({"numRowSubArray": 64, "numColSubArray": 64})
    training = {"enabled": True, "batch_size": 4, "iterations_per_epoch": 3}
    return ChipConfig.model_validate({**chip.model_dump(), "training": training, "quirks": quirks})


@functools.cache
def _workload() -> TrainingWorkload:
    return TrainingWorkload(_traces())


def _model(config: ChipConfig) -> tuple[ChipModel, object]:
    workload = _workload().workload
    model = training_chip(config, workload)  # the chip the epoch estimate runs on
    return model, model.evaluate(workload)


def test_v21_times_the_global_buffer_by_the_layers_share_of_the_tiles():
    shared, once = _model(_chip())[0], _model(_chip(v21_global_buffer_time_per_tile_share=False))[0]
    workload = _workload().workload
    fp = shared.fp
    assert len(set(fp.num_tiles)) > 1
    for tiles, a, b in zip(fp.num_tiles, shared.global_buffer_costs(workload), once.global_buffer_costs(workload),
                           strict=True):  # fmt: skip
        assert a[0] == pytest.approx(b[0] * math.ceil(fp.total_tiles / tiles))
        assert a[1] == pytest.approx(b[1])


def test_v21_rounds_up_a_layers_global_htree_loads_and_write_backs_together():
    """Faithful: ceil(loads / lanes) + ceil(write-backs / lanes) transfers; V2.1: ceil((loads + write-backs) / lanes)
    (one transfer fewer for a classifier whose few outputs would fill a transfer of their own)."""
    one, apart = _model(_chip())[0], _model(_chip(v21_global_htree_one_transfer=False))[0]
    fp, tree = one.fp, one.periphery.htree
    fewer = 0
    for i in range(len(LAYERS)):
        out_bits, in_bits = bits_moved(one, i)
        lanes = math.ceil(tree.bus_width * fp.num_tiles[i] / fp.total_tiles)
        ratio = math.ceil((out_bits + in_bits) / lanes) / (math.ceil(out_bits / lanes) + math.ceil(in_bits / lanes))
        a, b = layer_traffic(one, i, 1e9), layer_traffic(apart, i, 1e9)
        assert a.ic_energy == pytest.approx(b.ic_energy * ratio, rel=1e-12)
        assert (a.ic_latency, a.buffer_energy) == (b.ic_latency, b.buffer_energy)
        fewer += ratio < 1
    assert fewer > 0


@pytest.mark.parametrize("twice", [True, False])
def test_a_training_forward_passes_the_global_buffer_again_under_v21(twice):
    model, report = _model(_chip(v21_training_forward_buffer_twice=twice))
    workload = _workload().workload
    passes = model.global_buffer_costs(workload)
    for record, (t, e), fw in zip(report.layers, passes, training_forward(model, report, workload), strict=True):
        n = 1 if twice else 0
        assert fw.latency_s == pytest.approx(record.latency_s + n * t)
        assert fw.energy_j == pytest.approx(record.dynamic_energy_j + n * e)
        assert fw.latency_parts.buffer == pytest.approx(record.latency_breakdown_s.buffer + n * t)
        assert fw.peak_latency_s == pytest.approx(
            fw.latency_s - fw.latency_parts.buffer - fw.latency_parts.interconnect
        )


def test_the_weight_gradient_moves_activations_and_gradients_through_the_global_buffer():
    config = _chip()
    model, _ = _model(config)
    workload = _workload().workload
    hardware = BackpropHardware(model, config.training, _traces(), workload)
    unit = WeightGradientUnit(model.ctx, config.training, _traces().network, windows=model.windows)
    for i, (t, e) in enumerate(model.global_buffer_costs(workload)):
        phase = hardware.weight_gradient(i)
        found = unit.layer_cost(i, _traces().layers[i].activity)
        grad_t, grad_e = global_buffer_transfer(model, found.gradient_bits, found.gradient_bits)
        assert phase.peak_latency_s == pytest.approx(found.cost.latency)
        assert phase.latency_s - phase.peak_latency_s == pytest.approx(2 * (t + grad_t))
        assert phase.energy_j - phase.peak_energy_j == pytest.approx(2 * (e + grad_e))
        assert phase.latency_parts.buffer == pytest.approx(2 * (t + grad_t))


def test_the_update_transfer_is_paid_per_update_and_booked_per_image_under_v21():
    config = _chip()
    found = _workload().estimate(config)
    v21, parallel, training = found.report, found.write_parallel, config.training
    faithful = _workload().estimate(_chip(v21_breakdown_update_transfer_per_image=False)).report
    update = WeightUpdate(_model(config)[0], training)
    images, iters = training.images_per_epoch, training.iterations_per_epoch
    for i, (layer, other) in enumerate(zip(v21.layers, faithful.layers, strict=True)):
        x = _traces().layers[i]
        move = update.layer(i, x.trace.weights, x.old_weights).transfer
        assert move.tree_latency > 0 and 0 < move.slowest_buffer_latency <= move.buffer_latency
        paid = layer.phases["weight_update"][0] - layer.peak["weight_update"][0]
        assert paid == pytest.approx(move.latency / parallel * iters)  # rounds of arrays written in parallel
        assert layer.phases == other.phases  # only the breakdown books it otherwise
        booked = layer.latency_breakdown_s.buffer - other.latency_breakdown_s.buffer
        assert booked == pytest.approx(move.slowest_buffer_latency * images - move.buffer_latency / parallel * iters)
        booked = layer.energy_breakdown_j.interconnect - other.energy_breakdown_j.interconnect
        assert booked == pytest.approx(move.tree_energy_j * (images - iters))


def test_v21_times_the_update_htree_first_level_with_the_buffer_lines_written():
    """V2.1's tile H-tree reads its first level's wire resistance from an uninitialised variable; in the delta-weight
    transfer that variable holds the count of input-buffer lines just written (bits / interface width), as ohm/m."""
    config = _chip()
    model = _model(config)[0]
    on = WeightUpdate(model, config.training)
    off = WeightUpdate(_model(_chip(wu_htree_stale_buffer_lines=False))[0], config.training)
    p, single = model.ctx.p, 0
    for i, layer in enumerate(LAYERS):
        x = _traces().layers[i]
        a, b = (u.layer(i, x.trace.weights, x.old_weights).transfer for u in (on, off))
        assert a.tree_latency > b.tree_latency and a.slowest_tree_latency > b.slowest_tree_latency
        assert (a.buffer_latency, a.buffer_energy_j, a.tree_energy_j) == (b.buffer_latency, b.buffer_energy_j,
                                                                          b.tree_energy_j)  # fmt: skip
        if model.fp.num_tiles[i] != 1:
            continue
        tile = model.tile_nm if model.fp.is_novel[i] and model.tile_nm is not None else model.tile_cm
        tree, pe, width = tile.htree, tile.pe, tile.periphery.input_buffer.interface_width
        bits = layer.rows * layer.out_channels * p.cols_per_weight
        for latency, stale in ((a.tree_latency, bits / width), (b.tree_latency, 0.0)):
            want = tree.latency(pe.height, pe.width, bits / tree.bus_width, tile.clk_freq, stale)
            assert latency == pytest.approx(want, rel=1e-12)
        single += 1
    assert single > 0


def test_v21_weight_gradient_sense_amps_take_the_v21_time_law():
    config = _chip()
    ctx = build_context(config)
    unit = WeightGradientUnit(ctx, config.training, _traces().network)
    off_ctx = build_context(_chip(v21_mlsa_read_time=False))
    off = WeightGradientUnit(off_ctx, config.training, _traces().network)
    timing = unit.array._v21_timing()
    assert timing is not None and off.array._v21_timing() is None
    activity = 0.2
    n = unit.array.rows_per_adc * unit.array.input_bits
    columns = unit.array.w.cols  # NeuroSim converts every column (quirk wg_adc_converts_every_column)
    r = np.full((1, columns), unit.array.column_resistance(activity))
    t_read = float(timing.read_latency(r)[0])
    flash = off.array.flash
    assert flash is not None
    v21, v14 = unit.array.read(activity), off.array.read(activity)
    assert v21.latency_s - v14.latency_s == pytest.approx(n * t_read - flash.latency(n, 1))
    e_v21 = float(timing.read_energy(r)[0]) * n + unit.array.encoder.energy(n)
    assert v21.energy_adc_j == pytest.approx(e_v21)
    assert isinstance(unit.array.encoder, MlsaEncoderV21) and unit.array.encoder.energy(n) > 0  # V2.1's encoder


def test_an_sram_update_takes_no_write_pulse_but_its_rows_write_time():
    sram = chip_from_v21_params({"memcelltype": 1, "numRowSubArray": 64, "numColSubArray": 64})
    training = {"enabled": True, "batch_size": 4, "iterations_per_epoch": 3}
    config = ChipConfig.model_validate({**sram.model_dump(), "training": training})
    update = WeightUpdate(_model(config)[0], config.training)
    x = _traces().layers[0]
    terms = update.layer_terms(0, update.block_writes(0, x.trace.weights, x.old_weights))
    assert terms.pulses > 0 and terms.serial_pulses == 0  # bits change, no pulse width counts
    assert terms.serial_fixed_s > 0
    assert terms.at(1e-8).serial_latency_s == terms.at(5e-8).serial_latency_s


def test_a_sweep_over_training_settings_reuses_the_activation_gradient_pass_and_agrees_with_a_fresh_estimate():
    """The pass is kept under the chip and the read-out's settings: other training settings reuse it, a read-out
    setting costs it afresh, and each estimate equals the one a fresh workload gives."""
    swept = TrainingWorkload(_traces())
    base = _chip().model_dump()
    settings = [{"batch_size": 8}, {"batch_size": 16, "dram": {"type": "gddr5"}}, {"backprop": {"adc_levels": 16}}]
    for change in settings:
        config = ChipConfig.model_validate({**base, "training": {**base["training"], **change}})
        kept = len(swept.workload.cache._results)
        got = swept.estimate(config).report.to_dict()
        assert got == TrainingWorkload(_traces()).estimate(config).report.to_dict()
        assert len(swept.workload.cache._results) == kept + (1 if kept == 0 or "backprop" in change else 0)
    assert len(swept._block_writes_kept) == 1  # the read-out's chip reuses the update's block writes
