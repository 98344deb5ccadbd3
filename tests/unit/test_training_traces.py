"""Training traces: forward trace plus old weights (three stored forms) and input activity, each checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neurocim.workload.traces import TraceError
from neurocim.workload.training_traces import bit_activity, read_training_npz

REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference/neurosim_v21/traces/vgg8_v21_seed117.npz"


def _write(path: Path, **extra: np.ndarray) -> Path:
    rng = np.random.default_rng(0)
    arrays = {
        "network_csv": np.array([[4, 4, 2, 3, 3, 3, 0, 1]]),
        "wl_weight": np.array(5),
        "wl_activate": np.array(8),
        "L1_weight": rng.integers(-15, 16, (18, 3)).astype(np.int8),
        "L1_input_code": rng.integers(0, 256, (18, 4)).astype(np.uint8),
    }
    arrays.update(extra)
    np.savez(path, **arrays)
    return path


def test_old_weights_as_codes_values_and_delta(tmp_path: Path) -> None:
    base = _write(tmp_path / "a.npz", L1_weight_old_code=np.full((18, 3), 2, np.int8))
    codes = read_training_npz(base).layers[0]
    assert np.all(codes.old_weights == 2 / 16)
    values = read_training_npz(_write(tmp_path / "b.npz", L1_weight_old=np.full((18, 3), 0.3))).layers[0]
    assert np.all(values.old_weights == 0.3)
    new = values.trace.weight_codes
    delta = _write(tmp_path / "c.npz", L1_weight_old_delta_e5=np.full((18, 3), 123, np.int16))
    got = read_training_npz(delta).layers[0].old_weights
    np.testing.assert_allclose(got, (new.astype(np.int64) * 6250 + 123) / 1e5)


def test_activity_recorded_or_counted(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.npz", L1_weight_old_code=np.zeros((18, 3), np.int8))
    layer = read_training_npz(path).layers[0]
    bits = np.unpackbits(layer.trace.input_codes.astype(np.uint8)).mean()
    assert layer.activity == pytest.approx(bits)
    assert bit_activity(layer.trace) == pytest.approx(bits)
    recorded = _write(tmp_path / "b.npz", L1_weight_old_code=np.zeros((18, 3), np.int8), L1_activity=np.array(0.25))
    assert read_training_npz(recorded).layers[0].activity == 0.25


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "needs exactly one of"),
        ({"L1_weight_old": np.zeros((18, 3)), "L1_weight_old_code": np.zeros((18, 3), np.int8)}, "found L1_weight"),
        ({"L1_weight_old": np.zeros((17, 3))}, "has shape"),
        ({"L1_weight_old": np.full((18, 3), np.nan)}, "finite"),
        ({"L1_weight_old_code": np.zeros((18, 3))}, "integer array"),
        ({"L1_weight_old": np.zeros((18, 3)), "L1_activity": np.array(1.5)}, "fraction in"),
    ],
)
def test_bad_training_traces_are_refused(tmp_path: Path, extra: dict, message: str) -> None:
    with pytest.raises(TraceError, match=message):
        read_training_npz(_write(tmp_path / "bad.npz", **extra))


@pytest.mark.skipif(not REFERENCE.exists(), reason="NeuroSim V2.1 reference traces not beside the checkout")
def test_reference_traces_read_with_their_recorded_activity() -> None:
    traces = read_training_npz(REFERENCE)
    assert (traces.weight_bits, traces.input_bits, len(traces.layers)) == (5, 8, 8)
    first = traces.layers[0]
    assert first.activity == pytest.approx(bit_activity(first.trace))  # the wrapper counts every written window
    assert first.old_weights[0, 0] == pytest.approx(-0.73254)
    assert np.abs(first.old_weights - first.trace.weights).max() < 0.16
