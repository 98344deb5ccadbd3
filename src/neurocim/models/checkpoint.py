"""Safe loading of NeuroSim V1.4 checkpoints (VGG8.pth, DenseNet40.pth) into neurocim's models."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

from neurocim.errors import InputError

from .densenet import ConvUnit, DenseNet40
from .vgg import VGG8
from .wage import WageOutput

__all__ = ["CheckpointError", "load_neurosim_checkpoint", "neurosim_key_map", "neurosim_state_dict"]

_WRAPPER_KEYS = ("state_dict", "model_state_dict", "model")
_MAX_LISTED = 12


class CheckpointError(InputError):
    """A checkpoint file is missing, unreadable or does not fit the model."""


def _plain_children(seq: nn.Module, ours: str, theirs: str, offset: int = 0) -> dict[str, str]:
    """Our keys under ``seq`` -> NeuroSim's, where NeuroSim numbers the children without WageOutput."""
    out: dict[str, str] = {}
    index = offset
    for name, child in seq.named_children():
        if isinstance(child, WageOutput):
            continue
        for key in child.state_dict():
            out[f"{ours}.{name}.{key}"] = f"{theirs}.{index}.{key}"
        index += 1
    return out


def _densenet_map(model: DenseNet40) -> dict[str, str]:
    out = _plain_children(model.conv1, "conv1", "conv1")
    for b in (1, 2, 3):
        for i, block in enumerate(getattr(model, f"dense{b}")):
            out.update(_plain_children(block.reduce, f"dense{b}.{i}.reduce", f"dense{b}.{i}.conv"))
            n_reduce = sum(1 for c in block.reduce.children() if not isinstance(c, WageOutput))
            out.update(_plain_children(block.grow, f"dense{b}.{i}.grow", f"dense{b}.{i}.conv", n_reduce))
    for b in (1, 2):
        unit: ConvUnit = getattr(model, f"trans{b}").unit
        out.update(_plain_children(unit, f"trans{b}.unit", f"trans{b}.conv"))
    out.update(_plain_children(model.classifier, "classifier", "classifier"))
    return out


def neurosim_key_map(model: nn.Module) -> dict[str, str]:
    """Map every state-dict key of ``model`` to the key NeuroSim's own model uses for the same tensor.

    VGG8 and DenseNet40 get NeuroSim's positional names (``features.0.weight``, ``dense1.0.conv.3.weight``);
    any other model (ResNet18 uses torchvision's names, as NeuroSim does) maps to itself.
    """
    if isinstance(model, VGG8):
        mapping = {
            **_plain_children(model.features, "features", "features"),
            **_plain_children(model.classifier, "classifier", "classifier"),
        }
    elif isinstance(model, DenseNet40):
        mapping = _densenet_map(model)
    else:
        mapping = {}
    return {key: mapping.get(key, key) for key in model.state_dict()}


def neurosim_state_dict(model: nn.Module) -> OrderedDict[str, torch.Tensor]:
    """The model's state dict under NeuroSim's key names (what NeuroSim's ``load_state_dict`` expects)."""
    names = neurosim_key_map(model)
    return OrderedDict((names[k], v.detach().clone()) for k, v in model.state_dict().items())


def _read_state_dict(path: Path) -> Mapping[str, torch.Tensor]:
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path}")
    if not path.is_file():
        raise CheckpointError(f"checkpoint path is not a file: {path}")
    try:
        obj = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as exc:  # torch raises many types for corrupt or unsafe files
        raise CheckpointError(f"{path}: not a loadable PyTorch weights file ({type(exc).__name__}: {exc})") from exc
    if isinstance(obj, Mapping):
        for wrapper in _WRAPPER_KEYS:
            if isinstance(obj.get(wrapper), Mapping):
                obj = obj[wrapper]
                break
    if not isinstance(obj, Mapping) or not obj:
        raise CheckpointError(f"{path}: expected a non-empty state dict (name -> tensor), got {type(obj).__name__}")
    bad = [str(k) for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise CheckpointError(f"{path}: entries that are not name -> tensor: {_listing(bad)}")
    if all(k.startswith("module.") for k in obj):  # saved from nn.DataParallel
        obj = {k[len("module.") :]: v for k, v in obj.items()}
    return obj


def _listing(keys: list[str]) -> str:
    shown = ", ".join(keys[:_MAX_LISTED])
    more = len(keys) - _MAX_LISTED
    return f"[{shown}{f', ... ({more} more)' if more > 0 else ''}]"


def load_neurosim_checkpoint(model: nn.Module, path: str | Path, *, strict: bool = True) -> nn.Module:
    """Load a NeuroSim state dict (or one in neurocim's own key names) into ``model`` and return it.

    Reads with ``torch.load(weights_only=True, map_location="cpu")`` (no pickled code runs), renames
    NeuroSim's keys with :func:`neurosim_key_map`, and checks names, shapes and finiteness before
    touching the model. Raises :class:`CheckpointError` listing missing, unexpected (unless
    ``strict=False``) and mis-shaped keys. A missing ``num_batches_tracked`` counter is tolerated.
    The WAGE output scales are not stored in the file: they are rebuilt from each layer's fan-in.
    """
    path = Path(path)
    raw = _read_state_dict(path)
    own = model.state_dict()
    ours_to_theirs = neurosim_key_map(model)
    theirs_to_ours = {v: k for k, v in ours_to_theirs.items()}
    mapped: dict[str, torch.Tensor] = {}
    unexpected: list[str] = []
    for key, value in raw.items():
        ours = theirs_to_ours.get(key, key if key in own else None)
        if ours is None:
            unexpected.append(key)
        else:
            mapped[ours] = value
    missing = [ours_to_theirs[k] for k in own if k not in mapped and not k.endswith("num_batches_tracked")]
    mis_shaped = [
        f"{ours_to_theirs[k]} (model {tuple(own[k].shape)}, file {tuple(v.shape)})"
        for k, v in mapped.items()
        if v.shape != own[k].shape
    ]
    non_finite = [ours_to_theirs[k] for k, v in mapped.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    problems = []
    if missing:
        problems.append(f"missing keys {_listing(missing)}")
    if unexpected and strict:
        problems.append(f"unexpected keys {_listing(unexpected)}")
    if mis_shaped:
        problems.append(f"shape mismatches {_listing(mis_shaped)}")
    if non_finite:
        problems.append(f"non-finite values in {_listing(non_finite)}")
    if unexpected and not strict:
        warnings.warn(f"{path}: ignored unexpected keys {_listing(unexpected)}", stacklevel=2)
    if problems:
        raise CheckpointError(f"{path} does not fit {type(model).__name__}: " + "; ".join(problems))
    for key, value in own.items():
        mapped.setdefault(key, value)  # only num_batches_tracked can be absent here
    model.load_state_dict(mapped, strict=True)
    return model
