"""neurocim.evaluate: the user's model stays float, accuracy over seeded device draws, clear errors."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset

from neurocim.config.run import RunConfig, load_config
from neurocim.data import digits_datasets
from neurocim.models import evaluate_float, load_pretrained_digits
from neurocim.nn import CIMLayer, calibrate_, clone_converted, evaluate, resample_devices_
from neurocim.report.accuracy import AccuracyResult

IDEAL = {"devices": {"d2d_sigma": 0.0}, "max_chunk_elements": 2**20}


@pytest.fixture(scope="module")
def digits():
    train, test = digits_datasets()
    return (
        load_pretrained_digits(),
        DataLoader(Subset(test, range(90)), batch_size=45),
        DataLoader(Subset(train, range(90)), batch_size=45),
    )


def test_ideal_chip_keeps_float_accuracy_and_leaves_the_model_alone(digits):
    model, test, cal = digits
    before = {k: v.clone() for k, v in model.state_dict().items()}
    cfg = load_config({"chip": {"adc": {"bits": 8}}, "accuracy": {**IDEAL, "monte_carlo_repeats": 3}})
    res = evaluate(model, test, cfg, calibration=cal, progress=False)
    assert res.float_accuracy == evaluate_float(model, test) and res.float_accuracy > 0.95
    assert res.float_accuracy - 0.03 <= res.accuracy_mean <= 1.0
    assert res.deterministic and res.repeats == 3 and len(set(res.accuracies)) == 1 and res.accuracy_std == 0.0
    assert res.samples == 90 and res.config == cfg.model_dump(mode="json")
    assert not any(isinstance(m, CIMLayer) for m in model.modules())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_ideal_devices_repeat_identically():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(40, 8), nn.ReLU(), nn.Linear(8, 3))
    x = torch.rand(16, 40)
    hw = calibrate_(clone_converted(net, RunConfig().chip), [x])
    with torch.no_grad():
        first = hw(x)
        assert torch.equal(first, resample_devices_(hw, 5)(x))


def test_device_draws_are_seeded_per_repeat(digits):
    model, test, cal = digits
    test = DataLoader(Subset(test.dataset, range(60)), batch_size=60)
    cfg = load_config({"accuracy": {"devices": {"d2d_sigma": 0.3}, "monte_carlo_repeats": 3}})
    res = evaluate(model, test, cfg, calibration=cal, progress=False)
    assert not res.deterministic and res.repeats == 3 and len(set(res.accuracies)) > 1
    assert res.accuracy_std > 0 and res.accuracy_mean < res.float_accuracy
    assert math.isclose(res.accuracy_std, torch.tensor(res.accuracies, dtype=torch.float64).std().item())
    again = evaluate(model, test, cfg, 2, calibration=cal, progress=False)  # repeat r is the same draw
    assert again.accuracies == res.accuracies[:2]
    reseeded = load_config({"accuracy": {"devices": {"d2d_sigma": 0.3}, "seed": 1}})
    assert evaluate(model, test, reseeded, 2, calibration=cal, progress=False).accuracies != again.accuracies


def test_read_noise_of_a_repeat_does_not_depend_on_history():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(40, 6))
    cfg = load_config({"accuracy": {"devices": {"d2d_sigma": 0.0, "c2c_sigma": 0.1}}})
    hw = calibrate_(clone_converted(net, cfg.chip, cfg.accuracy), [torch.rand(8, 40)])
    x = torch.rand(4, 40)
    with torch.no_grad():
        a = resample_devices_(hw, 1)(x)
        hw(x), hw(x)
        b = resample_devices_(hw, 1)(x)
        c = resample_devices_(hw, 2)(x)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_default_config_and_progress_bar(digits, capsys):
    model, test, cal = digits
    res = evaluate(model, test, None, repeats=1, calibration=cal, progress=True)
    assert res.config == RunConfig().model_dump(mode="json") and res.repeats == 1 and 0.8 < res.accuracy_mean <= 1


def test_errors(digits):
    model, test, cal = digits
    cfg = load_config({"accuracy": IDEAL})
    with pytest.raises(ValueError, match="repeats=0 must be an integer >= 1"):
        evaluate(model, test, cfg, 0, progress=False)
    images = DataLoader(TensorDataset(torch.zeros(4, 1, 8, 8)), batch_size=2)
    with pytest.raises(ValueError, match=r"\(images, labels\) pairs"):
        evaluate(model, images, cfg, calibration=cal, progress=False)
    empty = DataLoader(Subset(test.dataset, []), batch_size=2)
    with pytest.raises(ValueError, match="calibration data yielded no batch"):
        evaluate(model, empty, cfg, progress=False)
    with pytest.raises(ValueError, match="yielded no samples"):
        evaluate(model, empty, cfg, calibration=cal, progress=False)


def test_result_record():
    res = AccuracyResult(0.9, (0.5, 0.7), samples=10)
    assert res.accuracy_mean == pytest.approx(0.6) and res.accuracy_std == pytest.approx(math.sqrt(0.02))
    assert res.accuracy_drop == pytest.approx(0.3) and res.repeats == 2
    d = res.to_dict()
    assert {"float_accuracy", "accuracy_mean", "accuracy_std", "repeats", "accuracies"} <= set(d)
    assert "60.00 ± 14.14 %" in res.summary() and AccuracyResult(0.9, (0.5,), 10).accuracy_std == 0.0
    for bad in [(0.9, ()), (0.9, (float("nan"),)), (1.2, (0.5,))]:
        with pytest.raises(ValueError):
            AccuracyResult(*bad, samples=10)
