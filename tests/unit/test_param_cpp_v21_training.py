"""NeuroSim V2.1's training parameters imported as chip.training, with refusals that name the parameter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neurocim.compat.param_cpp import ParamImportError
from neurocim.compat.param_cpp_v21_training import training_from_v21_params

REF = Path("/work/shared/reference/neurosim_v21/cases")
DEFAULTS = {"trainingEstimation": True, "parallelBP": True, "batchSize": 200, "numIteration": 250,
            "bufferOverHeadConstraint": 1.0, "numRowSubArrayWG": 128, "numColSubArrayWG": 128, "numRowMuxedAG": 8,
            "levelOutputAG": 64, "numRowMuxedWG": 8, "levelOutputWG": 16, "dramType": 2, "writePulseWidth": 5e-8,
            "maxNumLevelLTP": 60.0, "maxNumLevelLTD": 60.0, "polarization": 20.0,
            "gateCapFeFET": 2.1717e-18}  # fmt: skip


def test_the_shipped_values_import_as_the_defaults_with_training_on():
    t = training_from_v21_params(DEFAULTS)
    assert t.enabled and t.batch_size == 200 and t.iterations_per_epoch == 250 and t.backprop.parallel
    assert (t.backprop.rows_per_adc, t.backprop.adc_levels) == (8, 64)
    assert (t.weight_gradient.rows, t.weight_gradient.cols, t.weight_gradient.adc_levels) == (128, 128, 16)
    assert t.dram.bandwidth_and_energy == (15.2e12, 3.9e-12)
    assert t.write.fefet_polarization_c_per_m2 == pytest.approx(0.2)
    assert (t.write.levels_ltp, t.write.pulse_width_s) == (60, 5e-8)


@pytest.mark.skipif(not REF.is_dir(), reason="NeuroSim V2.1 reference outputs not present")
def test_every_reference_case_imports():
    for case in sorted(REF.iterdir()):
        params = json.loads((case / "params.json").read_text())
        t = training_from_v21_params(params)
        assert t.enabled == params["trainingEstimation"]
        assert t.backprop.parallel == params["parallelBP"]
        assert t.write.pulse_width_s == params["writePulseWidth"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("dramType", 3, "dramType=3: allowed 1 .GDDR5. or 2 .HBM2."),
        ("batchSize", 0, "batchSize .chip.training.batch_size.: .*greater than or equal to 1"),
        ("numIteration", 2.5, "numIteration=2.5: allowed a whole number"),
        ("parallelBP", "yes", "parallelBP='yes': allowed true/false"),
        ("writePulseWidth", -1e-9, "writePulseWidth .chip.training.write.pulse_width_s."),
    ],
)
def test_bad_values_are_refused_with_the_parameter_named(name, value, message):
    with pytest.raises(ParamImportError, match=message):
        training_from_v21_params({**DEFAULTS, name: value})
