"""On-chip training of a run file's model on its data set: the model from scratch, seeded loaders per epoch."""

from __future__ import annotations

from collections.abc import Mapping, Sized
from pathlib import Path
from typing import Any, cast

import torch
from torch.utils.data import DataLoader, Dataset, Subset

from neurocim.config.run import DatasetName, RunConfig
from neurocim.train.loop import resolve_config, train
from neurocim.train.optimizer import derived_seed
from neurocim.train.records import TrainResult


def build_model_for_training(cfg: RunConfig) -> torch.nn.Module:
    """The run file's network: freshly built (init from train.init), or loaded from model.checkpoint when given."""
    from neurocim.models import build_model, load_neurosim_checkpoint

    net = build_model(cfg.model.name, **cfg.model.options)
    if cfg.model.checkpoint is not None:
        net = load_neurosim_checkpoint(net, cfg.model.checkpoint)
    return net


def training_data(cfg: RunConfig) -> tuple[Dataset, DataLoader]:
    """The training set (first train.train_samples images) and the test loader (first data.test_samples)."""
    from neurocim.data import get_datasets

    d = cfg.data
    augment = d.name is not DatasetName.DIGITS
    train_set, test_set = get_datasets(
        d.name.value, d.root, train=True, augment=augment, image_size=d.image_size, resize=d.resize
    )
    assert train_set is not None  # get_datasets(train=True) returns the train split
    # every dataset get_datasets builds has a length (torch's Dataset does not declare one)
    if cfg.train.train_samples is not None and cfg.train.train_samples < len(cast(Sized, train_set)):
        train_set = Subset(train_set, range(cfg.train.train_samples))
    if d.test_samples is not None and d.test_samples < len(cast(Sized, test_set)):
        test_set = Subset(test_set, range(d.test_samples))
    return train_set, DataLoader(test_set, batch_size=d.batch_size, shuffle=False, num_workers=d.num_workers)


def train_run(
    config: RunConfig | str | Path | Mapping[str, Any] | None = None,
    *,
    epochs: int | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    float_baseline: bool = False,
    restart: bool = False,
) -> TrainResult:
    """Train the model of a run file (None: the bundled digits default) on chip; see neurocim.train.loop.train."""
    cfg = resolve_config(config, epochs)
    train_set, test_loader = training_data(cfg)
    t = cfg.train

    def loader(epoch: int) -> DataLoader:
        gen = torch.Generator().manual_seed(derived_seed(t.seed, "data", epoch))
        return DataLoader(train_set, batch_size=t.batch_size, shuffle=True, generator=gen,
                          num_workers=cfg.data.num_workers)

    return train(
        build_model_for_training(cfg),
        loader(0),
        test_loader,
        cfg,
        out=out,
        progress=progress,
        float_baseline=float_baseline,
        restart=restart,
        epoch_loaders=loader,
    )
