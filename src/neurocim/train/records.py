"""Per-epoch training records and the result of a run: train.csv, train.json, train.npz, train_traces.npz."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

EPOCH_FIELDS = (
    "epoch",
    "train_loss",
    "train_accuracy",
    "test_loss",
    "test_accuracy",
    "learning_rate",
    "pulses_per_update_mean",
    "devices_written_fraction",
    "seconds",
)


@dataclass
class LayerRecord:
    """One chip layer in one epoch: weight and last-update distributions, pulses per update, input activity."""

    weight_mean: float
    weight_std: float
    update_mean: float
    update_std: float
    pulses_per_update_mean: float
    pulses_per_update_max: float
    devices_written_fraction: float
    input_activity: float


@dataclass
class EpochRecord:
    """One epoch: losses and accuracies (fractions), rate, pulses per device per update, devices written per update."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    learning_rate: float
    pulses_per_update_mean: float
    devices_written_fraction: float
    seconds: float
    layers: dict[str, LayerRecord] = field(default_factory=dict)

    def row(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in EPOCH_FIELDS}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> EpochRecord:
        layers = {n: LayerRecord(**v) for n, v in data.get("layers", {}).items()}
        return EpochRecord(**{k: data[k] for k in EPOCH_FIELDS}, layers=layers)


@dataclass
class TrainResult:
    """A finished (or resumed-and-finished) on-chip training run."""

    epochs: list[EpochRecord]
    config: dict[str, Any]
    float_accuracy: float | None = None
    arrays: dict[str, np.ndarray] = field(default_factory=dict)  # per epoch: codes before/after, histograms
    model: Any = None  # the trained float model (torch module), not serialised here
    traces: dict[str, np.ndarray] = field(default_factory=dict)  # last epoch's step, train_traces.npz layout
    cost: Any = None  # the epoch's training-cost report (training_cost.report.EpochReport) when the chip asks

    @property
    def test_accuracy(self) -> float:
        return self.epochs[-1].test_accuracy

    def to_dict(self) -> dict[str, Any]:
        return {
            "float_accuracy": self.float_accuracy,
            "test_accuracy": self.test_accuracy,
            "epochs": [asdict(e) for e in self.epochs],
            "training_cost": None if self.cost is None else self.cost.to_dict()["chip"],
            "config": self.config,
        }

    def summary(self) -> str:
        last = self.epochs[-1]
        base = "" if self.float_accuracy is None else f", float baseline {self.float_accuracy:.2%}"
        return (
            f"on-chip training: test accuracy {last.test_accuracy:.2%} after {last.epoch + 1} epoch(s){base}; "
            f"{last.pulses_per_update_mean:.3g} pulses per device per update, "
            f"{last.devices_written_fraction:.1%} of devices written per update"
        )

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1))
        return path

    def write_csv(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=EPOCH_FIELDS)
            writer.writeheader()
            for e in self.epochs:
                writer.writerow(e.row())
        return path

    def write_npz(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, allow_pickle=False, **self.arrays)
        return path
