"""Model conversion: every Conv2d/Linear in place, exclusions, overrides, calibration, clear errors."""

from pathlib import Path

import pytest
import torch
from torch import nn

from neurocim.config.accuracy import AccuracyConfig, AdcRangeMode
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive
from neurocim.mapping.floorplan import plan_floor
from neurocim.models import build_model
from neurocim.nn import CIMConv2d, CIMLinear, LayerMode, calibrate_, cim_layers, convert_, set_mode_
from neurocim.workload.network import load_network_csv

CHIP = ChipConfig(cell={"type": "rram", "bits_per_cell": 2, "on_off_ratio": 10}, array={"rows": 16}, adc={"bits": 6})


def net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1, groups=2),
        nn.Sequential(nn.Conv2d(8, 4, 1), nn.ReLU()),
        nn.Flatten(),
        nn.Linear(4 * 16, 10),
    )


def test_convert_in_place_shares_parameters():
    model = net()
    weight = model[6].weight
    with pytest.warns(UserWarning, match="left as float"):
        out = convert_(model, CHIP)
    assert out is model
    assert isinstance(model[0], CIMConv2d) and isinstance(model[4][0], CIMConv2d) and isinstance(model[6], CIMLinear)
    assert type(model[3]) is nn.Conv2d  # grouped convolution stays float
    assert model[6].weight is weight and model[6].cim_name == "6"
    assert set(cim_layers(model)) == {"0", "4.0", "6"}


def test_calibrate_and_run_all_modes():
    model = net()
    with pytest.warns(UserWarning):
        convert_(model, CHIP)
    data = [(torch.randn(2, 3, 4, 4), torch.zeros(2)) for _ in range(2)]
    calibrate_(model, iter(data))  # a one-shot iterator of (input, target) pairs
    assert model.training  # restored
    x = torch.randn(2, 3, 4, 4)
    model.eval()
    with torch.no_grad():
        outs = {mode: set_mode_(model, mode)(x) for mode in LayerMode}
    assert all(torch.isfinite(o).all() and o.shape == (2, 10) for o in outs.values())
    assert (outs[LayerMode.HARDWARE] - outs[LayerMode.FLOAT]).abs().max() < 1.0


def test_exclude_and_overrides():
    model = net()
    with pytest.warns(UserWarning):
        convert_(
            model,
            CHIP,
            AccuracyConfig(seed=4),
            exclude=["0"],
            overrides={
                "4.*": {"mode": "quantized", "adc": {"range_mode": "full_scale"}},
                "6": {"devices": {"d2d_sigma": 0.1}},
            },
        )
    assert type(model[0]) is nn.Conv2d
    inner, fc = model[4][0], model[6]
    assert inner.mode is LayerMode.QUANTIZED and inner.settings.adc_mode is AdcRangeMode.FULL_SCALE
    assert fc.mode is LayerMode.HARDWARE and fc.accuracy.devices.d2d_sigma == 0.1 and fc.accuracy.seed == 4


def test_conversion_errors():
    with pytest.raises(ValueError, match="no convertible layer"):
        convert_(nn.Sequential(nn.ReLU(), nn.BatchNorm1d(3)), CHIP)
    with pytest.raises(ValueError, match="no convertible layer"):
        convert_(nn.Sequential(nn.Linear(3, 3)), CHIP, exclude=["*"])
    with pytest.raises(ValueError, match="the model itself is a Linear"):
        convert_(nn.Linear(3, 3), CHIP)
    with pytest.raises(ValueError, match=r"overrides pattern\(s\) \['nope'\] match no"):
        convert_(nn.Sequential(nn.Linear(3, 3)), CHIP, overrides={"nope": {"seed": 1}})
    with pytest.raises(ValueError, match="d2d_sigma"):
        convert_(nn.Sequential(nn.Linear(3, 3)), CHIP, overrides={"0": {"devices": {"d2d_sigma": -1}}})
    with pytest.raises(TypeError, match="ChipConfig"):
        convert_(nn.Sequential(nn.Linear(3, 3)), {"adc": {"bits": 5}})
    with pytest.raises(ValueError, match="no CIM layer"):
        set_mode_(nn.Sequential(nn.Linear(3, 3)), "float")


def test_calibration_needs_data_to_reach_layers():
    model = convert_(nn.Sequential(nn.Linear(3, 3)), CHIP)
    with pytest.raises(RuntimeError, match="no data reached it"):
        calibrate_(model, [])


def test_layers_read_rows_as_the_floorplan_maps_them():
    """Under novel mapping, the layers the cost model maps conventionally (VGG-8's 27-row conv1, the FC layers)
    also read their rows conventionally on the accuracy side: one setting, one answer."""
    chip = ChipConfig()
    layers = cim_layers(convert_(build_model("vgg8"), chip))
    floorplan = plan_floor(load_network_csv(Path(__file__).parents[1] / "data" / "vgg8_network.csv"), derive(chip))
    novel = tuple(layer.settings.mapping.value == "novel" for layer in layers.values())
    assert novel == floorplan.is_novel == (False, True, True, True, True, True, False, False)
    conv1 = layers["features.conv1"].row_groups()
    assert (conv1.count, conv1.size) == (1, 27)
