"""Training cost parts: DRAM traffic, write pulses, weight mapping, arrays written in parallel, the quirk registry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neurocim.compat.quirks import TRAINING_QUIRKS, quirk_names
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.training_cost.dram import Dram, layer_dram
from neurocim.training_cost.weight_update import WeightUpdate, update_conductances, write_parallelism
from neurocim.training_cost.write_pulses import CellWrite, row_writes

REPO = Path(__file__).resolve().parents[2]


def test_faithful_dram_moves_every_channel_and_reports_what_the_phases_pay():
    from neurocim.workload.network import Layer

    layer = Layer(8, 8, 16, 3, 3, 32)
    dram = Dram(1e12, 1e-12)
    faithful = layer_dram(dram, layer, False, derive(ChipConfig()), 15)
    v21 = layer_dram(dram, layer, False, derive(ChipConfig(compat="neurosim_v21")), 15)
    act = 8 * 8 * 16 * 8  # channels included
    assert faithful.forward == pytest.approx((2 * act / 1e12, 2 * act * 1e-12))
    assert v21.forward == pytest.approx((2 * act / 16 / 1e12, 2 * act / 16 * 1e-12))
    phases = [faithful.forward, faithful.activation_gradient, faithful.weight_gradient]
    assert faithful.reported[1] == pytest.approx(sum(e for _, e in phases))
    assert v21.reported[1] > sum(e for _, e in (v21.forward, v21.activation_gradient, v21.weight_gradient))
    first = layer_dram(dram, layer, True, derive(ChipConfig()), 15)
    assert first.activation_gradient == (0.0, 0.0)


def test_write_parallelism_uses_the_gradient_precision_when_faithful():
    training = TrainingHardwareConfig(enabled=True)
    p = derive(ChipConfig(cell={"type": "fefet", "bits_per_cell": 5}, precision={"weight_bits": 5}))
    buffer_bits = 8 * 32 * 32 * 128
    # 128x128 cells x (15 + 8) bits / (128x128 x 5) = 4 arrays, doubled twice under the inference buffer
    assert write_parallelism(p, training, buffer_bits, 15) == 16
    limited = TrainingHardwareConfig(enabled=True, weight_gradient={"buffer_overhead_limit": 0.1})
    assert write_parallelism(p, limited, buffer_bits, 15) == 4
    # V2.1 sizes the buffer with a 0-bit gradient: with a batch of one it holds nothing and one array is written
    v21 = derive(ChipConfig(compat="neurosim_v21", cell={"type": "fefet", "bits_per_cell": 5},
                                   precision={"weight_bits": 5}))  # fmt: skip
    single = TrainingHardwareConfig(enabled=True, batch_size=1)
    assert write_parallelism(v21, single, buffer_bits, 15) == 1


def test_row_writes_count_the_longest_set_and_reset_train_of_every_row():
    cell = CellWrite(delta_g_min_s=1.0, num_levels=10, write_voltage_v=2.0, binary=False,
                     fefet_polarization_c_per_m2=None)  # fmt: skip
    old = np.array([[5.0, 5.0, 5.0], [5.0, 5.0, 5.0], [5.0, 5.0, 5.0]])
    new = np.array([[7.5, 6.0, 5.5], [3.0, 5.0, 4.2], [5.0, 5.0, 5.0]])  # row 0 sets, row 1 resets, row 2 rests
    w = row_writes(new, old, cell)
    assert (w.set_pulses, w.reset_pulses) == (3, 2)  # ceil(2.5) in row 0; ceil(2.0) in row 1; 0.5 and 0.8 < dG_min
    assert (w.rows_set, w.rows_reset, w.cols_set, w.cols_reset) == (1, 1, 2, 1)
    g_mean = lambda a, b: 2 / (1 / a + 1 / b)  # noqa: E731
    expected = 4 * 1e-9 * (g_mean(7.5, 5) * 3 + g_mean(6, 5) * 1 + g_mean(3, 5) * 2)
    assert w.cell_energy_j(1e-9) == pytest.approx(expected)
    sram = row_writes(new, old, CellWrite(1.0, 2, 1.0, True, None))
    assert (sram.set_pulses, sram.reset_pulses, sram.cell_energy_j(1e-9)) == (1, 1, 0.0)


def test_integer_weights_map_to_digits_or_to_the_quotients_of_v21():
    weights = np.array([[0.5, -1.0], [0.9375, 0.0]])
    faithful = derive(ChipConfig(cell={"type": "rram", "bits_per_cell": 2}, precision={"weight_bits": 4}))
    g = update_conductances(weights, faithful)
    g_max, g_min = 1 / faithful.chip.cell.r_on_ohm, 1 / faithful.chip.cell.r_off_ohm
    assert g.shape == (2, 4) and g.min() >= g_min * (1 - 1e-12) and g.max() <= g_max * (1 + 1e-12)
    v21 = derive(ChipConfig(compat="neurosim_v21", cell={"type": "rram", "bits_per_cell": 2},
                                   precision={"weight_bits": 5}))  # fmt: skip
    quotient = update_conductances(weights, v21)  # 0.9375 -> level 31: cells 0, 31/16 = 1, 31/4 = 7 -> 7 // 3 = 2
    assert quotient.max() > g_max  # the quotient path exceeds G_max for large weights
    linear = derive(ChipConfig(cell={"type": "rram", "bits_per_cell": 4}, precision={"weight_bits": 4}))
    assert update_conductances(np.array([[0.0]]), linear)[0, 0] == pytest.approx((g_max + g_min) / 2)


def test_training_quirks_are_registered_off_by_default_and_listed_in_the_docs():
    names = {q.name for q in TRAINING_QUIRKS}
    assert names <= quirk_names()
    assert not derive(ChipConfig()).quirks & names
    assert derive(ChipConfig(compat="neurosim_v21")).quirks >= names
    assert not derive(ChipConfig(compat="neurosim_v14")).quirks & names
    text = (REPO / "docs" / "training_cost.md").read_text()
    table = text[text.index("## Reproduced NeuroSim V2.1 behaviour") :].split("\n## ")[0]
    listed = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `")}
    assert listed == names


def test_an_update_is_linear_in_the_pulse_width():
    from neurocim.estimate import ChipModel, build_context
    from neurocim.workload.network import Layer

    layer = Layer(4, 4, 8, 3, 3, 16)
    config = ChipConfig(cell={"type": "rram", "access": "none", "bits_per_cell": 5}, precision={"weight_bits": 5},
                        pipeline={"enabled": False})  # fmt: skip
    chip = ChipModel(build_context(config), [layer])
    rng = np.random.default_rng(2)
    new = rng.integers(-15, 16, size=(layer.rows, layer.out_channels)) / 16
    old = np.clip(new + rng.uniform(-0.2, 0.2, size=new.shape), -1, 1)
    updates = []
    for width in (1e-8, 2e-8, 4e-8):
        training = TrainingHardwareConfig(enabled=True, write={"pulse_width_s": width})
        updates.append(WeightUpdate(chip, training).layer(0, new, old))
    a, b, c = updates
    assert a.pulses == b.pulses == c.pulses > 0
    assert c.serial_latency_s - b.serial_latency_s == pytest.approx(2 * (b.serial_latency_s - a.serial_latency_s))
    assert c.peak_energy_j - b.peak_energy_j == pytest.approx(2 * (b.peak_energy_j - a.peak_energy_j))
    assert b.peak_energy_j > a.peak_energy_j > 0  # crossbar: cells and half-selected cells take V^2 G t


def test_v21_books_the_read_scan_registers_as_write_energy():
    """wu_write_energy_counts_scan_registers: every written eNVM sub-array adds its row register clocked for the
    forward column-mux steps and, past the first layer, its column register for the read-out's steps; its row switch's
    write time the row register's clocking."""
    from neurocim.estimate import ChipModel, build_context
    from neurocim.workload.network import Layer

    layers = [Layer(4, 4, 8, 3, 3, 16), Layer(4, 4, 16, 3, 3, 16)]
    rng = np.random.default_rng(3)
    weights = []
    for layer in layers:
        new = rng.integers(-15, 16, size=(layer.rows, layer.out_channels)) / 16
        weights.append((new, np.clip(new + rng.uniform(-0.3, 0.3, size=new.shape), -1, 1)))
    training = TrainingHardwareConfig(enabled=True)
    updates, chips = {}, {}
    for on in (False, True):
        quirks = {"wu_write_energy_counts_scan_registers": on}
        config = ChipConfig(cell={"type": "rram", "bits_per_cell": 5}, precision={"weight_bits": 5},
                            pipeline={"enabled": False}, quirks=quirks)  # fmt: skip
        chips[on] = chip = ChipModel(build_context(config), layers)
        update = WeightUpdate(chip, training)
        updates[on] = [update.layer(i, new, old) for i, (new, old) in enumerate(weights)]
    p, mode = chips[True].ctx.p, chips[True].tile_cm.pe.subarray.mode
    row, col = mode.wl_new_switch, mode.sl_switch
    e_row = row.dff.energy(p.cols_muxed, row.num_output, False)
    e_col = col.dff.energy(training.backprop.rows_per_adc, col.num_output, False)
    for index, per_array in ((0, e_row), (1, e_row + e_col)):
        off, on = updates[False][index], updates[True][index]
        arrays = (on.peak_energy_j - off.peak_energy_j) / per_array
        assert arrays >= 1 and arrays == pytest.approx(round(arrays), rel=1e-6)  # whole written sub-arrays
        assert on.serial_latency_s >= off.serial_latency_s  # the row switch's time (when it is the slower one)
    # the row register's clocking, half a clock period per column-mux step, in each array's row-switch write time
    assert update._scan_time() > 0
    assert update._scan_time() == pytest.approx(p.cols_muxed / (2 * update.subarray.clk_freq))


def test_v21_writes_at_the_root_sum_square_of_the_set_and_reset_voltages():
    """wu_write_voltage_root_sum_square: every write-voltage term of an update takes sqrt(2) x the write voltage, so
    a crossbar's line and half-selected cell energies double."""
    from neurocim.estimate import ChipModel, build_context
    from neurocim.workload.network import Layer

    layer = Layer(4, 4, 8, 3, 3, 16)
    rng = np.random.default_rng(4)
    new = rng.integers(-15, 16, size=(layer.rows, layer.out_channels)) / 16
    old = np.clip(new + rng.uniform(-0.3, 0.3, size=new.shape), -1, 1)
    training = TrainingHardwareConfig(enabled=True)
    found = {}
    for on in (False, True):
        quirks = {"wu_write_voltage_root_sum_square": on}
        config = ChipConfig(cell={"type": "rram", "access": "none", "bits_per_cell": 5, "write_voltage_v": 2.0},
                            precision={"weight_bits": 5}, pipeline={"enabled": False}, quirks=quirks)  # fmt: skip
        update = WeightUpdate(ChipModel(build_context(config), [layer]), training)
        writes = update.block_writes(0, new, old)[0].writes
        found[on] = (update.cell.write_voltage_v, update._line_energy(writes), update.layer(0, new, old))
    assert found[False][0] == 2.0 and found[True][0] == pytest.approx(2.0 * np.sqrt(2))
    (e_off, per_s_off), (e_on, per_s_on) = found[False][1], found[True][1]
    assert e_off > 0 and per_s_off > 0
    assert e_on == pytest.approx(2 * e_off) and per_s_on == pytest.approx(2 * per_s_off)
    assert found[True][2].serial_latency_s == found[False][2].serial_latency_s  # the pulses are the same


def _update_pair(name: str, cell: dict, layer, seed: int = 5):
    """One update of `layer` with the training quirk `name` off and on (the others as compat none)."""
    from neurocim.estimate import ChipModel, build_context

    rng = np.random.default_rng(seed)
    new = rng.integers(-15, 16, size=(layer.rows, layer.out_channels)) / 16
    old = np.clip(new + rng.uniform(-0.3, 0.3, size=new.shape), -1, 1)
    training = TrainingHardwareConfig(enabled=True)
    found = {}
    for on in (False, True):
        config = ChipConfig(cell=cell, precision={"weight_bits": 5}, pipeline={"enabled": False}, quirks={name: on})
        update = WeightUpdate(ChipModel(build_context(config), [layer]), training)
        found[on] = (update, update.block_writes(0, new, old), update.layer(0, new, old))
    return found


def test_v21_charges_the_column_switch_no_selected_columns_per_pulse():
    """wu_column_switch_pulses_unset: the source-line switch's per-pulse charging of the selected columns (pulses per
    row x selected columns x 3 drains x V^2 per write operation) is left out; the time is the same."""
    from neurocim.workload.network import Layer

    found = _update_pair(
        "wu_column_switch_pulses_unset", {"type": "fefet", "bits_per_cell": 5}, Layer(4, 4, 8, 3, 3, 16)
    )
    update, writes, _ = found[False]
    col = update.subarray.mode.sl_switch
    v = update.cell.write_voltage_v
    expected = 0.0
    for block in writes:
        w = block.writes
        selected = min(col.num_output, col.num_output * w.activity_col)
        per_write = col.cap_tg_drain * 3 * v * v * w.pulses_per_row * selected
        expected += per_write * update._num_writes(w) * block.block.energy_copies
    off, on = found[False][2], found[True][2]
    assert expected > 0
    assert off.peak_energy_j - on.peak_energy_j == pytest.approx(expected, rel=1e-9)
    assert on.serial_latency_s == off.serial_latency_s


def test_v21_counts_a_short_blocks_writes_over_the_full_array():
    """wu_write_rows_full_array: a 27-row block (a 3x3x3 kernel) is written as if its row activity spread over the
    array's 128 rows: more switch write operations, so more driver energy and time; the cells are the same."""
    from neurocim.workload.network import Layer

    found = _update_pair("wu_write_rows_full_array", {"type": "rram", "bits_per_cell": 5}, Layer(8, 8, 3, 3, 3, 16))
    update, writes, off = found[False]
    w = writes[0].writes
    assert w.rows == 27 < update.p.chip.array.rows
    on_update, _, on = found[True]
    assert on_update._num_writes(w) == pytest.approx(update._num_writes(w) * update.p.chip.array.rows / w.rows)
    assert on.peak_energy_j > off.peak_energy_j and on.serial_latency_s > off.serial_latency_s
    assert on.pulses == off.pulses


def test_sram_updates_flip_cells_select_rows_and_drive_bit_lines():
    """An SRAM update: cell flips (both nodes), the row switch's gates and the written bit lines' precharge and
    drive; under wu_sram_write_activity_unset (V2.1) the precharge and drive are left out."""
    from neurocim.workload.network import Layer

    found = _update_pair("wu_sram_write_activity_unset", {"type": "sram"}, Layer(4, 4, 8, 3, 3, 16))
    update, writes, off = found[False]
    _, _, on = found[True]
    sa, vdd = update.subarray, update.chip.ctx.tech.vdd
    driver = sa.mode.sram_column.write_driver
    bits = sum(b.writes.cols * b.writes.activity_col * b.writes.rows * b.writes.activity_row * b.block.energy_copies
               for b in writes)  # fmt: skip
    assert bits > 0 and on.pulses == off.pulses
    drive = (sa.cap_col + driver.cap_input + driver.cap_output) * vdd * vdd * bits
    assert off.peak_energy_j - on.peak_energy_j == pytest.approx(drive, rel=1e-9)
    assert on.peak_energy_j > 0
