"""Accuracy in the loop: which settings decide a point's accuracy (its key), and evaluating distinct ones."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from neurocim.config.run import RunConfig
from neurocim.explore.costing import POINT_ERRORS


@dataclass(frozen=True)
class AccuracyOutcome:
    """One accuracy setting's result (fractions in [0, 1]), or why it has none."""

    metrics: dict[str, float] | None
    message: str
    seconds: float


def accuracy_key(config: RunConfig) -> str:
    """The values the accuracy half reads from a run configuration, as canonical text (equal key, equal accuracy).

    The chip enters only through the settings the CIM layers resolve (precisions, cell bits, on/off ratio,
    sub-array rows, rows read at once, ADC bits, mapping); the accuracy, model and data sections enter whole.
    """
    from neurocim.nn.settings import resolve_settings

    s = resolve_settings(config.chip, config.accuracy)
    chip = {
        "weight_bits": s.weight_bits,
        "input_bits": s.input_bits,
        "bits_per_cell": s.bits_per_cell,
        "on_off_ratio": "inf" if math.isinf(s.on_off_ratio) else s.on_off_ratio,
        "sub_array_rows": s.sub_array_rows,
        "parallel_rows": s.parallel_rows,
        "adc_bits": s.adc_bits,
        "mapping": s.mapping.value,
    }
    data = config.model_dump(mode="json", include={"accuracy", "model", "data"})
    return json.dumps({"chip": chip, **data}, sort_keys=True, separators=(",", ":"))


def evaluate_accuracies(configs: Sequence[RunConfig]) -> list[AccuracyOutcome]:
    """Accuracy of each configuration (one network and data set, built once for all of them)."""
    from neurocim.accuracy import build_data, build_network
    from neurocim.nn.evaluate import evaluate

    if not configs:
        return []
    net, data = build_network(configs[0].model), build_data(configs[0].data)
    out = []
    for cfg in configs:
        try:
            res = evaluate(net, data.test, cfg, calibration=data.calibration, progress=False)
        except POINT_ERRORS as err:
            out.append(AccuracyOutcome(None, f"accuracy: {type(err).__name__}: {err}", 0.0))
            continue
        metrics = {"accuracy": res.accuracy_mean, "accuracy_std": res.accuracy_std}
        metrics["float_accuracy"] = res.float_accuracy
        out.append(AccuracyOutcome(metrics, "", res.seconds))
    return out
