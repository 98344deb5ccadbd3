"""Configuration: defaults, derived parameters and clear errors."""

import pytest
from pydantic import ValidationError

from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive


def test_defaults_match_neurosim_param_cpp():
    p = derive(ChipConfig())
    assert p.chip.technology.node_nm == 22 and p.chip.adc.levels == 32 and p.cols_muxed == 8
    assert p.mux_driver_factor == 110 and p.new_switch_matrix_ratio == 14
    assert p.read_voltage_v == pytest.approx(0.55)
    assert p.chip.cell.r_off_ohm == pytest.approx(1.7e6)
    assert p.wires.unit_resistance == pytest.approx(9.77e6, rel=1e-3)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"technology": {"node_nm": 23}}, "node_nm"),
        ({"technology": {"node_nm": 7, "roadmap": "hp"}}, "roadmap"),
        ({"technology": {"node_nm": 14, "temperature_k": 350}}, "temperature_k"),
        ({"cell": {"type": "rram"}, "technology": {"node_nm": 7}}, "rram"),
        ({"cell": {"type": "rram", "bits_per_cell": 9}}, "bits_per_cell"),
        ({"array": {"rows": 64, "parallel_rows": 128}}, "parallel_rows"),
        ({"array": {"rows": 0}}, "rows"),
        ({"cell": {"r_on_ohm": -5}}, "r_on_ohm"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_values_name_the_field(data, field):
    with pytest.raises(ValidationError, match=field):
        ChipConfig.model_validate(data)
