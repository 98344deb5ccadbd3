"""On the bundled digits default, with real thresholds (slow: minutes; run with -m slow or NEUROCIM_SLOW=1).

Linear device near the float baseline; accuracy falling as the nonlinearity grows from 1 to 9 (mean of two
seeds); momentum winning back part of the loss at high nonlinearity; cycle-to-cycle noise of a few percent
degrading it. The default run's fast checks (tests/unit/test_train_loop.py) prove the mechanics; these prove
the physics on a real task.
"""

from __future__ import annotations

import pytest

from neurocim.config.io import read_mapping
from neurocim.train.checkpoint import DEFAULT_TRAIN_RUN
from neurocim.train.run import train_run

SEEDS = (0, 1)
pytestmark = pytest.mark.slow


def _accuracy(seed: int, momentum: float = 0.0, float_baseline: bool = False, **device) -> tuple[float, float | None]:
    data = read_mapping(DEFAULT_TRAIN_RUN)
    data["train"].update(seed=seed, momentum=momentum)
    data["train"]["device"].update(device)
    result = train_run(data, float_baseline=float_baseline)
    return result.test_accuracy, result.float_accuracy


def _mean(**kw) -> float:
    return sum(_accuracy(s, **kw)[0] for s in SEEDS) / len(SEEDS)


def _nonlinear(nl: float) -> dict:
    return {"model": "neurosim_v21", "nonlinearity_ltp": nl, "nonlinearity_ltd": -nl}


def test_linear_device_reaches_near_the_float_baseline() -> None:
    runs = [_accuracy(s, float_baseline=True) for s in SEEDS]
    chip = sum(r[0] for r in runs) / len(runs)
    baseline = sum(r[1] for r in runs) / len(runs)
    assert chip > 0.95 and chip > baseline - 0.02, (chip, baseline)


def test_accuracy_falls_as_the_nonlinearity_grows() -> None:
    accs = [_mean(**_nonlinear(nl)) for nl in (1, 3, 5, 7, 9)]
    for better, worse in zip(accs, accs[1:], strict=False):
        assert worse <= better + 0.02, accs  # monotone within seed noise
    assert accs[0] > 0.94 and accs[-1] < accs[0] - 0.3, accs


def test_momentum_recovers_part_of_the_loss_at_high_nonlinearity() -> None:
    without = _mean(**_nonlinear(5))
    with_momentum = _mean(momentum=0.9, **_nonlinear(5))
    assert with_momentum > without + 0.02, (without, with_momentum)


def test_cycle_to_cycle_noise_above_a_few_percent_degrades_training() -> None:
    clean = _mean()
    noisy = _mean(c2c_sigma=0.1)
    assert noisy < clean - 0.05, (clean, noisy)


def test_hardware_forward_trains_like_the_wage_forward() -> None:
    """Through the chip's read path (ADC, bit-serial inputs) the straight-through gradient is WAGE's, so it learns."""
    data = read_mapping(DEFAULT_TRAIN_RUN)
    data["train"].update(forward="hardware", epochs=3)
    data["accuracy"]["quantization"] = {"scheme": "wage"}
    accuracy = train_run(data).test_accuracy
    assert accuracy > 0.85, accuracy  # 93.8 % (seed 0); about 30 % when the gradient missed the scale and the clip
