"""Configuration: defaults, derived parameters and clear errors."""

import pytest
from pydantic import ValidationError

from neurocim.config.chip import ChipConfig
from neurocim.config.params import derive_params


def test_defaults_match_neurosim_param_cpp():
    p = derive_params(ChipConfig())
    assert p.technode == 22 and p.level_output == 32 and p.num_col_muxed == 8
    assert p.sizing_factor_mux == 110 and p.new_switch_matrix_size_ratio == 14
    assert p.read_voltage == pytest.approx(0.55)
    assert p.resistance_off == pytest.approx(1.7e6)
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
