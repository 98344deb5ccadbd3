"""On-chip training: device-update optimizer, training loop, per-epoch records."""

from __future__ import annotations

from neurocim.train.loop import train
from neurocim.train.records import EpochRecord, TrainResult

__all__ = ["EpochRecord", "TrainResult", "train"]
