"""Accuracy configuration and per-layer settings: shared values come from ChipConfig, bad values fail clearly."""

import math

import pytest
from pydantic import ValidationError

from neurocim.config.accuracy import AccuracyConfig, AdcRangeMode, QuantScheme
from neurocim.config.chip import ChipConfig
from neurocim.nn import CIMLinear, lattice_for, resolve_settings


def test_defaults_and_compat_derived_values():
    acc = AccuracyConfig()
    assert acc.scheme is QuantScheme.PTQ and acc.adc_range_mode is AdcRangeMode.CALIBRATED
    assert acc.devices.ideal
    compat = AccuracyConfig(compat="neurosim_v14")
    assert compat.scheme is QuantScheme.WAGE and compat.adc_range_mode is AdcRangeMode.NEUROSIM_BATCH_MINMAX
    explicit = AccuracyConfig(compat="neurosim_v14", adc={"range_mode": "calibrated"})
    assert explicit.adc_range_mode is AdcRangeMode.CALIBRATED


def test_json_round_trip():
    acc = AccuracyConfig(devices={"d2d_sigma": 0.1, "drift": {"time_s": 10, "coefficient": 0.05}}, seed=3)
    assert AccuracyConfig.model_validate_json(acc.model_dump_json()) == acc


@pytest.mark.parametrize(
    "data, field",
    [
        ({"devices": {"drift": {"time_s": -1}}}, "time_s"),
        ({"devices": {"d2d_sigma": -0.1}}, "d2d_sigma"),
        ({"devices": {"faults": {"stuck_at_0_rate": 0.7, "stuck_at_1_rate": 0.6}}}, "stuck_at_0_rate"),
        ({"devices": {"conductance_table_csv": "/nonexistent/levels.csv"}}, "conductance_table_csv"),
        ({"compat": "neurosim_v14", "quantization": {"scheme": "ptq"}}, "scheme=ptq"),
        ({"compat": "neurosim_v14", "input": {"bits_per_cycle": 2}}, "bits_per_cycle"),
        ({"monte_carlo_repeats": 0}, "monte_carlo_repeats"),
        ({"adc": {"percentile": 101}}, "percentile"),
        ({"adc": {"range_mode": "auto"}}, "range_mode"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_values_name_the_field(data, field):
    with pytest.raises(ValidationError, match=field):
        AccuracyConfig.model_validate(data)


def test_shared_settings_are_read_from_the_chip():
    chip = ChipConfig(
        cell={"type": "rram", "bits_per_cell": 2, "on_off_ratio": 17.5},
        array={"rows": 64, "parallel_rows": 16},
        adc={"bits": 4},
        precision={"weight_bits": 6, "input_bits": 5},
    )
    s = resolve_settings(chip, AccuracyConfig())
    assert (s.weight_bits, s.input_bits, s.bits_per_cell, s.slices) == (6, 5, 2, 3)
    assert (s.sub_array_rows, s.group_size, s.adc_bits, s.on_off_ratio) == (64, 16, 4, 17.5)
    assert (s.lattice.p, s.lattice.q) == (35, 2)
    sram = resolve_settings(ChipConfig(), AccuracyConfig())
    assert math.isinf(sram.on_off_ratio) and (sram.lattice.p, sram.lattice.q) == (1, 0)  # SRAM: ideal on/off


def test_sequential_read_means_one_row_per_read():
    chip = ChipConfig.model_validate({"array": {"read_mode": "sequential"}})
    assert resolve_settings(chip, AccuracyConfig()).group_size == 1


def test_bits_per_cell_must_divide_weight_bits():
    chip = ChipConfig(cell={"type": "rram", "bits_per_cell": 3}, precision={"weight_bits": 8})
    with pytest.raises(ValueError, match="cell.bits_per_cell=3 does not divide precision.weight_bits=8"):
        CIMLinear(4, 2, chip=chip)
    with pytest.warns(UserWarning, match="NeuroSim compat"):  # reproduced (top bits dropped) only under compat
        CIMLinear(4, 2, chip=chip, accuracy=AccuracyConfig(compat="neurosim_v14"))


def test_parallel_rows_above_sub_array_rows():
    with pytest.raises(ValidationError, match="array.parallel_rows=256 exceeds array.rows=128"):
        ChipConfig.model_validate({"array": {"rows": 128, "parallel_rows": 256}})


@pytest.mark.parametrize("ratio", [0.0, -3.0, 1.0, 0.5, float("nan")])
def test_on_off_ratio_must_exceed_one(ratio):
    with pytest.raises(ValidationError, match="on_off_ratio"):
        ChipConfig.model_validate({"cell": {"type": "rram", "on_off_ratio": ratio}})
    with pytest.raises(ValueError, match="cell.on_off_ratio"):
        lattice_for(ratio, 1)


def test_bits_per_cycle_above_input_bits():
    chip = ChipConfig(precision={"input_bits": 4})
    with pytest.raises(ValueError, match="input.bits_per_cycle=6 exceeds precision.input_bits=4"):
        resolve_settings(chip, AccuracyConfig(input={"bits_per_cycle": 6}))


def test_lattice_is_exact():
    lat = lattice_for(10.0, 2)
    # main - reference = gain * (2d - (2^c - 1)) for every digit
    for d in range(4):
        assert d * lat.slope + lat.offset - lat.reference == lat.gain * (2 * d - 3)
    assert lat.grid == 3 and lat.per_normalised == 20
