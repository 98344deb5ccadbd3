"""Training checkpoints: written after every epoch, resumed exactly, loaded with weights_only and checked."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from neurocim.config.io import ConfigError
from neurocim.config.run import EXAMPLES, RunConfig
from neurocim.train.records import EpochRecord

DEFAULT_TRAIN_RUN = EXAMPLES / "train_digits.yaml"
CHECKPOINT = "checkpoint.pt"
FLOAT_BASELINE = "float_baseline.json"
FORMAT = "neurocim-train-1"


def config_key(cfg: RunConfig) -> str:
    """The configuration a checkpoint must match (the epoch count may grow on resume)."""
    data = cfg.model_dump(mode="json")
    data["train"].pop("epochs")
    return json.dumps(data, sort_keys=True)


def signature(weights: dict[str, torch.nn.Parameter]) -> list[list]:
    return [[name, list(w.shape)] for name, w in weights.items()]


def save(run, path: Path, next_epoch: int) -> None:
    """Write the run's state after `next_epoch` epochs (atomically: a crash leaves the previous checkpoint)."""
    state = {
        "format": FORMAT,
        "signature": signature(run.weights),
        "config": config_key(run.cfg),
        "epoch": next_epoch,
        "model": run.model.state_dict(),
        "optimizer": run.optimizer.state_dict(),
        "records": [asdict(r) for r in run.records],
        "arrays": {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in run.arrays.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def _load(path: Path) -> dict[str, Any]:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # a truncated or foreign file: say which, in one line
        reason = f"{type(err).__name__}: {err}"
        raise ConfigError(f"checkpoint {path}: cannot be read ({reason}); delete it or --restart") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ConfigError(f"checkpoint {path}: not a neurocim training checkpoint; delete it or use --restart")
    return state


def resume(run, path: Path) -> int:
    """Load `path` into `run` when it exists; returns the number of epochs already done (0 without a checkpoint)."""
    if not path.is_file():
        return 0
    state = _load(path)
    mine = signature(run.weights)
    if state["signature"] != mine:
        raise ConfigError(
            f"checkpoint {path} does not match the model: it holds layers {state['signature']}, the model has {mine}; "
            "use another --out or --restart"
        )
    if state["config"] != config_key(run.cfg):
        raise ConfigError(
            f"checkpoint {path} was written with another configuration; use another --out or --restart "
            "(only train.epochs may change on resume)"
        )
    if state["epoch"] > run.cfg.train.epochs:
        raise ConfigError(
            f"checkpoint {path} holds {state['epoch']} epochs, more than train.epochs={run.cfg.train.epochs}"
        )
    run.model.load_state_dict(state["model"])
    run.optimizer.load_state_dict(state["optimizer"])
    run.records[:] = [EpochRecord.from_dict(r) for r in state["records"]]
    run.arrays.update({k: v.numpy() for k, v in state["arrays"].items()})
    return int(state["epoch"])


def saved_float_accuracy(out: Path | None, cfg: RunConfig, restart: bool) -> float | None:
    """The float baseline of an earlier run with the same configuration in `out`, if any."""
    if out is None or restart or not (out / FLOAT_BASELINE).is_file():
        return None
    data = json.loads((out / FLOAT_BASELINE).read_text())
    if data.get("config") != config_key(cfg) or data.get("epochs") != cfg.train.epochs:
        return None
    return float(data["float_accuracy"])


def save_float_accuracy(out: Path, cfg: RunConfig, accuracy: float) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {"float_accuracy": accuracy, "epochs": cfg.train.epochs, "config": config_key(cfg)}
    (out / FLOAT_BASELINE).write_text(json.dumps(data))
