"""Result record of an accuracy evaluation (fractions in [0, 1]) and its JSON view."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AccuracyResult:
    """Top-1 accuracy of the float model and of the model on the chip, one value per Monte-Carlo repeat."""

    float_accuracy: float
    accuracies: tuple[float, ...]  # hardware accuracy of each repeat (device draw)
    samples: int  # test images per evaluation
    deterministic: bool = False  # ideal devices: every repeat is the same chip, evaluated once
    seconds: float = 0.0  # wall time of the whole evaluation
    config: dict[str, Any] = field(default_factory=dict)  # the run configuration, as JSON data

    def __post_init__(self) -> None:
        values = (self.float_accuracy, *self.accuracies)
        if not self.accuracies:
            raise ValueError("AccuracyResult: at least one repeat is needed")
        if not all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values):
            raise ValueError(f"AccuracyResult: accuracies must be fractions in [0, 1], got {values}")

    @property
    def repeats(self) -> int:
        return len(self.accuracies)

    @property
    def accuracy_mean(self) -> float:
        return statistics.fmean(self.accuracies)

    @property
    def accuracy_std(self) -> float:
        """Sample standard deviation over repeats (0 for a single repeat)."""
        return statistics.stdev(self.accuracies) if self.repeats > 1 else 0.0

    @property
    def accuracy_drop(self) -> float:
        """Float accuracy minus mean hardware accuracy."""
        return self.float_accuracy - self.accuracy_mean

    def to_dict(self) -> dict[str, Any]:
        return {
            "float_accuracy": self.float_accuracy,
            "accuracy_mean": self.accuracy_mean,
            "accuracy_std": self.accuracy_std,
            "accuracy_drop": self.accuracy_drop,
            "repeats": self.repeats,
            "accuracies": list(self.accuracies),
            "samples": self.samples,
            "deterministic": self.deterministic,
            "seconds": self.seconds,
            "config": self.config,
        }

    def write_json(self, path: str | Path) -> None:
        """Write to_dict() as JSON, atomically (a failed write leaves no partial file)."""
        from neurocim.report.outputs import write_text_atomic

        write_text_atomic(path, json.dumps(self.to_dict(), indent=1), "JSON result")

    def summary(self) -> str:
        """One line: float accuracy, hardware mean +- std over repeats."""
        runs = f"{self.repeats} repeat{'s' if self.repeats != 1 else ''}"
        if self.deterministic and self.repeats > 1:
            runs += ", ideal devices: identical"
        return (
            f"float accuracy {100 * self.float_accuracy:.2f} %; hardware accuracy "
            f"{100 * self.accuracy_mean:.2f} ± {100 * self.accuracy_std:.2f} % ({runs}; {self.samples} images)"
        )
