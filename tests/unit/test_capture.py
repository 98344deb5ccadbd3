"""Trace capture: the captured codes reproduce each CIM layer's integer arithmetic exactly."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from neurocim.config.accuracy import AccuracyConfig
from neurocim.config.chip import ChipConfig
from neurocim.nn.convert import calibrate_, cim_layers, convert_, set_mode_
from neurocim.workload.capture import TraceCapture, _unsigned_codes
from neurocim.workload.extract import extract_network
from neurocim.workload.traces import TraceError

CHIP = ChipConfig.model_validate({"cell": {"type": "rram"}, "array": {"rows": 64, "cols": 64}})


def _model() -> nn.Module:
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Conv2d(2, 6, 3, stride=2, padding=1),  # signed input: two's complement codes
        nn.ReLU(),
        nn.Conv2d(6, 5, 3, padding=1, bias=False),  # unsigned input
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(5 * 5 * 5, 4),
    )


@pytest.fixture(scope="module")
def captured():
    float_model = _model().double()  # float64 end to end: the closed form is compared to 1e-12
    x = torch.randn(4, 2, 10, 10, dtype=torch.float64)
    hw = convert_(_model().double(), CHIP, AccuracyConfig())
    calibrate_(hw, [x])
    set_mode_(hw, "quantized")
    capture = TraceCapture(image=1)
    with torch.no_grad(), capture.active(hw):
        hw(x)
        hw(torch.zeros_like(x))  # later calls do not overwrite the first record
    table = extract_network(float_model, x)
    return hw, x, capture, table


def _signed(codes: np.ndarray, bits: int) -> np.ndarray:
    c = codes.astype(np.int64)
    return np.where(c >= 2 ** (bits - 1), c - 2**bits, c)


def _inputs_of(hw: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    seen: dict[str, torch.Tensor] = {}
    handles = [
        m.register_forward_pre_hook(lambda m, a, n=n: seen.setdefault(n, a[0])) for n, m in cim_layers(hw).items()
    ]
    with torch.no_grad():
        hw(x)
    for h in handles:
        h.remove()
    return seen


def test_captured_codes_give_the_layers_integer_closed_form(captured):
    hw, x, capture, table = captured
    traces = capture.traces(table.layers)
    inputs = _inputs_of(hw, x)
    for layer, trace in zip(table.layers, traces, strict=True):
        cim = cim_layers(hw)[layer.name]
        _, den_a, x_scale, signed = cim.input_codes(inputs[layer.name])
        codes, w_scale = cim.weight_codes()
        a = _signed(trace.input_codes, 8) if signed else trace.input_codes.astype(np.int64)
        levels = 2 * trace.weight_levels(8) - 255  # the integer a weight contributes, from the trace
        assert np.array_equal(trace.weight_levels(8).T, codes.numpy().astype(np.int64))
        # the codes reach the cost model as integers (k = code - 128), never as re-rounded floats
        assert trace.weight_codes is not None and trace.weight_step == 2.0**-7
        assert np.array_equal(trace.weight_codes.T, codes.numpy().astype(np.int64) - 128)
        y = (levels.T @ a) / (den_a * cim.weight_denominator) * (w_scale.numpy()[:, None] * x_scale)
        if cim.bias is not None:
            y = y + cim.bias.detach().double().numpy()[:, None]
        expected = cim(inputs[layer.name]).detach().double()[1]  # quantized mode, image 1
        np.testing.assert_allclose(y, expected.reshape(expected.shape[0], -1).numpy(), rtol=1e-12, atol=1e-12)


def test_trace_shapes_follow_the_layer_table(captured):
    _, _, capture, table = captured
    traces = capture.traces(table.layers)
    assert [t.name for t in traces] == ["0", "2", "5"]
    first = traces[0]
    assert first.weights.shape == (18, 6) and first.input_codes.shape == (18, 25)  # 5x5 windows, padded, stride 2
    assert first.input_codes.dtype == np.uint8 and traces[2].input_codes.shape == (125, 1)
    assert table.layers[0].num_windows <= first.num_windows_written


def test_unsigned_codes_are_twos_complement_and_clamped():
    codes = torch.tensor([-128.0, -1.0, 0.0, 5.0, 127.0, 300.0, -400.0])
    assert _unsigned_codes(codes, 8).tolist() == [128, 255, 0, 5, 127, 255, 128]


def test_missing_layers_and_bad_use_are_errors(captured):
    hw, x, capture, table = captured
    with pytest.raises(ValueError, match="image=-1 must be an integer >= 0"):
        TraceCapture(image=-1)
    with pytest.raises(ValueError, match="has no CIM layer"), TraceCapture().active(nn.Sequential(nn.ReLU())):
        pass
    with pytest.raises(TraceError, match=r"no trace captured for layer\(s\) \['0', '2', '5'\] \(captured: none\)"):
        TraceCapture().traces(table.layers)
    too_far = TraceCapture(image=9)
    with pytest.raises(ValueError, match="image 9 requested, layer '0' got a batch of 4"), too_far.active(hw):
        hw(x)
    assert all(not m._forward_pre_hooks for m in hw.modules())
