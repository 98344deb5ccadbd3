"""A training run's files: the records, the traces and cost when present, and the plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurocim.train.plots import plot_training
from neurocim.train.records import TrainResult


def save_training(result: TrainResult, out_dir: str | Path, plots: bool = True) -> list[Path]:
    """train.json, train.csv, train.npz, train_traces.npz, train_cost.json (when estimated) and (if `plots`) the
    PNGs into `out_dir`; returns the files."""
    out = Path(out_dir)
    files = [result.write_json(out / "train.json"), result.write_csv(out / "train.csv")]
    files.append(result.write_npz(out / "train.npz"))
    if result.traces:
        files.append(out / "train_traces.npz")
        np.savez_compressed(files[-1], allow_pickle=False, **result.traces)
    if result.cost is not None:
        files.append(out / "train_cost.json")
        result.cost.write_json(files[-1])
    if plots:
        files += plot_training(result, out)
    return files
