"""Run-level accuracy: build the network and data of a RunConfig and evaluate them on its chip."""

from __future__ import annotations

from collections.abc import Mapping, Sized
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, cast

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset

from neurocim.config.io import ConfigError
from neurocim.config.run import CalibrationSplit, DataConfig, ModelConfig, RunConfig, load_config
from neurocim.errors import shown
from neurocim.report.accuracy import AccuracyResult


class RunData(NamedTuple):
    """The test loader (test_samples applied) and the loader calibration batches come from."""

    test: DataLoader
    calibration: DataLoader


def build_network(model: ModelConfig) -> nn.Module:
    """The float network of a model section, weights loaded, in eval mode."""
    from neurocim.models import build_model, load_neurosim_checkpoint, load_pretrained_digits

    if model.checkpoint is None:  # validated: only models with shipped weights get here
        return load_pretrained_digits()
    try:
        net = build_model(model.name, **model.options)
    except (TypeError, ValueError) as err:  # the builders refuse bad keyword arguments and values
        raise ConfigError(f"model.options={shown(model.options)} for model.name={model.name!r}: {err}") from None
    return load_neurosim_checkpoint(net, model.checkpoint).eval()


def build_data(data: DataConfig) -> RunData:
    """Loaders of a data section, both in a fixed order (evaluations repeat exactly).

    Calibration uses calibration_batches x batch_size images: a seeded random sample of the train split, or
    the first test batches (calibration_split=test).
    """
    from neurocim.data import get_datasets

    train = data.calibration_split is CalibrationSplit.TRAIN
    train_set, test_set = get_datasets(
        data.name.value, data.root, train=train, augment=False, image_size=data.image_size, resize=data.resize
    )
    # every dataset get_datasets builds has a length (torch's Dataset does not declare one)
    if data.test_samples is not None and data.test_samples < len(cast(Sized, test_set)):
        test_set = Subset(test_set, range(data.test_samples))
    loader = partial(DataLoader, batch_size=data.batch_size, num_workers=data.num_workers, shuffle=False)
    test = loader(test_set)
    if not train:
        return RunData(test, test)
    assert train_set is not None  # get_datasets(train=True) returns the train split
    order = torch.randperm(len(cast(Sized, train_set)), generator=torch.Generator().manual_seed(0))
    picked = order[: data.calibration_batches * data.batch_size].tolist()
    return RunData(test, loader(Subset(train_set, picked)))


def run_accuracy(
    config: RunConfig | str | Path | Mapping[str, Any] | None = None,
    repeats: int | None = None,
    progress: bool = True,
) -> AccuracyResult:
    """Evaluate the network of `config` (default: the bundled run) on its chip: float and hardware accuracy."""
    from neurocim.nn.evaluate import evaluate

    cfg = config if isinstance(config, RunConfig) else load_config(config)
    data = build_data(cfg.data)
    return evaluate(build_network(cfg.model), data.test, cfg, repeats, calibration=data.calibration, progress=progress)
