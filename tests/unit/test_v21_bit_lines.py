"""compat neurosim_v21 on eNVM chips: the read bit lines charged in every parallel read vector."""

from __future__ import annotations

import numpy as np
import pytest

from neurocim.arch.subarray.subarray import SubArray
from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context


def _subarray(quirks: dict[str, bool], **params: object) -> SubArray:
    v21 = chip_from_v21_params({"SARADC": True, **params})
    ctx = build_context(ChipConfig.model_validate({**v21.model_dump(), "quirks": quirks}))
    p = ctx.p
    return SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)


@pytest.mark.parametrize("params", [{}, {"memcelltype": 2, "numRowSubArray": 256, "numColSubArray": 256}])
def test_v21_parallel_read_charges_every_laid_out_bit_line_per_vector(params):
    """v21_parallel_bit_line_energy: each vector's ADC energy gains C_BL V_read^2 for every laid-out column (each
    ADC's bit line at each muxed column), however few columns are mapped; the rest of the read is unchanged."""
    on, off = _subarray({}, **params), _subarray({"v21_parallel_bit_line_energy": False}, **params)
    assert on.mode.v21_bit_lines and not off.mode.v21_bit_lines
    p, geo = on.ctx.p, on.geometry
    want = geo.length_col * 0.2e-15 / 1e-6 * p.read_voltage_v**2 * geo.num_col
    mapped = 10  # a partly filled sub-array: its ten mapped columns read 20 kohm
    res = np.full((2, mapped), 2e4)
    act = np.array([0.5, 0.25])
    got_on = on.mode.vector_costs(act, res, 1e9, p.read_levels)
    got_off = off.mode.vector_costs(act, res, 1e9, p.read_levels)
    assert np.asarray(got_on.energy_adc) - np.asarray(got_off.energy_adc) == pytest.approx([want, want])
    assert np.asarray(got_on.energy) - np.asarray(got_off.energy) == pytest.approx([want, want])
    assert np.asarray(got_on.energy_accum) == pytest.approx(np.asarray(got_off.energy_accum))
    assert want > 0
