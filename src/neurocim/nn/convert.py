"""Model-level API: convert every Conv2d/Linear of a model to CIM layers, calibrate ranges, switch modes."""

from __future__ import annotations

import copy
import fnmatch
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import torch
from pydantic import ValidationError
from torch import nn

from neurocim.config.accuracy import AccuracyConfig
from neurocim.config.chip import ChipConfig, MappingType
from neurocim.errors import InputError
from neurocim.mapping.floorplan import pe_rows
from neurocim.mapping.placement import novel_mapped
from neurocim.nn.base import CIMLayer, LayerMode
from neurocim.nn.layers import CIMConv2d, CIMLinear


def convertible(module: nn.Module) -> bool:
    """Whether convert_ turns `module` into a CIM layer: nn.Linear, or nn.Conv2d with groups=1 and zero padding."""
    if isinstance(module, CIMLayer):
        return False
    if isinstance(module, nn.Conv2d):
        return module.groups == 1 and module.padding_mode == "zeros"
    return isinstance(module, nn.Linear)


def matches_any(name: str, patterns: Sequence[str]) -> bool:
    """Whether the module name `name` equals or fnmatch-matches one of `patterns` (exclude/override rules)."""
    return any(name == p or fnmatch.fnmatchcase(name, p) for p in patterns)


def _deep_merge(base: dict, update: Mapping) -> dict:
    out = dict(base)
    for key, value in update.items():
        out[key] = (
            _deep_merge(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), dict) else value
        )
    return out


def _layer_accuracy(accuracy: AccuracyConfig, overrides: Mapping[str, Mapping[str, Any]], name: str):
    """This layer's AccuracyConfig and mode after the overrides whose pattern matches its name (in order)."""
    data, mode = accuracy.model_dump(), None
    for pattern, update in overrides.items():
        if matches_any(name, [pattern]):
            update = dict(update)
            mode = update.pop("mode", mode)
            data = _deep_merge(data, update)
    try:
        return AccuracyConfig.model_validate(data), mode
    except ValidationError as err:
        raise ValueError(f"overrides for layer {name!r}: {err}") from None


def set_submodule(model: nn.Module, name: str, module: nn.Module) -> None:
    """Replace the submodule at dotted `name` of `model` by `module`."""
    parent_name, _, child = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, child, module)


def convert_(
    model: nn.Module,
    chip_config: ChipConfig,
    accuracy_config: AccuracyConfig | None = None,
    exclude: Sequence[str] = (),
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    mode: LayerMode | str = LayerMode.HARDWARE,
) -> nn.Module:
    """Replace, in place, every nn.Conv2d (groups=1) and nn.Linear of `model` by its CIM layer; returns `model`.

    exclude: module names or fnmatch patterns left as they are. overrides: {pattern: {AccuracyConfig fields
    (nested dicts), optional "mode"}} applied to matching layers. Grouped convolutions stay float (a warning
    names them). Raises ValueError when nothing is convertible or a pattern matches no layer.
    Under novel mapping, a layer the floorplanner maps conventionally (NeuroSim's rule: kernel area not the
    network's most common one, or fewer rows than a sub-array) reads its rows conventionally here too.
    """
    if not isinstance(chip_config, ChipConfig):
        raise TypeError(f"chip_config must be a ChipConfig, got {type(chip_config).__name__}")
    accuracy = accuracy_config if accuracy_config is not None else AccuracyConfig()
    overrides = dict(overrides or {})
    named = [
        (n, m) for n, m in model.named_modules() if isinstance(m, nn.Conv2d | nn.Linear) and not isinstance(m, CIMLayer)
    ]
    if any(n == "" for n, _ in named):
        raise ValueError(f"convert_: the model itself is a {type(model).__name__}; wrap it, e.g. nn.Sequential(model)")
    targets = [(n, m) for n, m in named if convertible(m) and not matches_any(n, exclude)]
    skipped = [n for n, m in named if not convertible(m)]
    if skipped:
        warnings.warn(f"convert_: left as float (grouped or non-zero-padded convolutions): {skipped}", stacklevel=2)
    for kind, patterns in (("exclude", list(exclude)), ("overrides", list(overrides))):
        unused = [p for p in patterns if not any(matches_any(n, [p]) for n, _ in named)]
        if unused:
            raise InputError(f"convert_: {kind} pattern(s) {unused} match no Conv2d/Linear of the model")
    if not targets:
        raise InputError(
            f"convert_: no convertible layer in {type(model).__name__} (needs nn.Conv2d with groups=1 or nn.Linear; "
            f"excluded: {list(exclude)}, not convertible: {skipped})"
        )
    layer_chips, pe_sizes = _layer_chips(chip_config, targets), _pe_rows(chip_config, targets)
    for (name, module), chip, pe_size in zip(targets, layer_chips, pe_sizes, strict=True):
        acc, layer_mode = _layer_accuracy(accuracy, overrides, name)
        layer: CIMLayer
        if isinstance(module, nn.Conv2d):
            layer = CIMConv2d.from_float(module, chip, acc, name=name, mode=layer_mode or mode)
        else:
            layer = CIMLinear.from_float(module, chip, acc, name=name, mode=layer_mode or mode)
        layer.pe_rows = pe_size
        layer.train(module.training)
        set_submodule(model, name, layer)
    return model


def _kernels(targets: Sequence[tuple[str, nn.Conv2d | nn.Linear]]) -> list[tuple[int, int, int]]:
    """(input channels, kernel height, kernel width) of every layer."""
    return [
        (m.in_channels, m.kernel_size[0], m.kernel_size[1]) if isinstance(m, nn.Conv2d) else (m.in_features, 1, 1)
        for _, m in targets
    ]


def _pe_rows(chip: ChipConfig, targets: Sequence[tuple[str, nn.Conv2d | nn.Linear]]) -> tuple[int, ...]:
    """Rows of one PE of every layer, as the chip's floorplan of the network sizes them."""
    cells = math.ceil(chip.precision.weight_bits / chip.cell.bits_per_cell)
    outs = [m.out_channels if isinstance(m, nn.Conv2d) else m.out_features for _, m in targets]
    shapes = [(c, kh * kw, out * cells) for (c, kh, kw), out in zip(_kernels(targets), outs, strict=True)]
    return pe_rows(shapes, chip.array.rows, chip.mapping is MappingType.NOVEL)


def _layer_chips(chip: ChipConfig, targets: Sequence[tuple[str, nn.Conv2d | nn.Linear]]) -> list[ChipConfig]:
    """Each layer's chip: under novel mapping, the layers the floorplanner maps conventionally read as such."""
    if chip.mapping is not MappingType.NOVEL:
        return [chip] * len(targets)
    kernels = _kernels(targets)
    conventional = chip.model_copy(update={"mapping": MappingType.CONVENTIONAL})
    return [chip if novel else conventional for novel in novel_mapped(kernels, chip.array.rows)]


def cim_layers(model: nn.Module) -> dict[str, CIMLayer]:
    """The CIM layers of a model by module name."""
    return {n: m for n, m in model.named_modules() if isinstance(m, CIMLayer)}


def set_mode_(model: nn.Module, mode: LayerMode | str) -> nn.Module:
    """Put every CIM layer in `mode` (float, quantized or hardware)."""
    for layer in _require_layers(model).values():
        layer.mode = LayerMode(mode)
    return model


def resample_devices_(model: nn.Module, repeat: int) -> nn.Module:
    """Redraw every frozen device map (variation, faults, drift direction) for Monte-Carlo repeat `repeat`.

    The per-read noise streams restart too, so a repeat gives the same draws whatever ran before it.
    """
    for layer in _require_layers(model).values():
        layer.resample_devices(repeat)
    return model


def _require_layers(model: nn.Module) -> dict[str, CIMLayer]:
    layers = cim_layers(model)
    if not layers:
        raise ValueError(f"{type(model).__name__} has no CIM layer; call neurocim.nn.convert_ first")
    return layers


def _first(batch: Any) -> Any:
    return batch[0] if isinstance(batch, list | tuple) else batch


def calibrate_(model: nn.Module, batches: Iterable, max_batches: int | None = None) -> nn.Module:
    """Set the calibrated ranges of every CIM layer from data (inputs: tensors or (input, target) pairs).

    Stage 1 runs the float model and records each layer's input range (PTQ scale and signedness).
    Stage 2 runs the quantized inputs through the arrays with an ideal ADC and records the column reads,
    which fix each layer's ADC range (accuracy.adc.range_mode=calibrated).
    """
    layers = _require_layers(model)
    if iter(batches) is batches:  # a one-shot iterator: keep it for both stages
        batches = list(batches)
    needs = {"inputs": "needs_input_calibration", "adc": "needs_adc_calibration"}
    was_training, modes = model.training, {n: layer.mode for n, layer in layers.items()}
    model.eval()
    try:
        for stage, need in needs.items():
            chosen = [layer for layer in layers.values() if getattr(layer, need)]
            if not chosen:
                continue
            for layer in chosen:
                layer.mode = LayerMode.HARDWARE
                layer.begin_calibration(stage)
            _run(model, batches, max_batches)
            for layer in chosen:
                layer.end_calibration()
    finally:
        for n, layer in layers.items():
            layer.mode, layer._calibration, layer._observer = modes[n], None, None
        model.train(was_training)
    return model


def _run(model: nn.Module, batches: Iterable, max_batches: int | None) -> None:
    with torch.no_grad():
        for i, batch in enumerate(batches):
            if max_batches is not None and i >= max_batches:
                break
            model(_first(batch))


def clone_converted(model: nn.Module, *args, **kwargs) -> nn.Module:
    """A converted deep copy of `model` (the original is untouched); arguments as for convert_."""
    return convert_(copy.deepcopy(model), *args, **kwargs)
