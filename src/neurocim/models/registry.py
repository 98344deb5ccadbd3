"""Model registry: build a model by name."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from .densenet import densenet40
from .digits import digits_cnn
from .resnet import resnet18
from .vgg import vgg8

__all__ = ["MODEL_NAMES", "build_model"]

_BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "digits_cnn": digits_cnn,
    "vgg8": vgg8,
    "densenet40": densenet40,
    "resnet18": resnet18,
}

MODEL_NAMES: tuple[str, ...] = tuple(_BUILDERS)


def build_model(name: str, **kwargs: object) -> nn.Module:
    """Build the model registered as ``name`` (case-insensitive; '-' and '_' ignored), passing ``kwargs`` on.

    Names: ``digits_cnn``, ``vgg8``, ``densenet40``, ``resnet18``.
    """
    if not isinstance(name, str):
        raise TypeError(f"build_model: name must be a string, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "").replace("_", "")
    for registered, builder in _BUILDERS.items():
        if registered.replace("_", "") == key:
            try:
                return builder(**kwargs)
            except TypeError as exc:
                raise TypeError(f"build_model({name!r}): bad keyword arguments {sorted(kwargs)}: {exc}") from exc
    raise ValueError(f"build_model: unknown model name {name!r}; known names: {', '.join(MODEL_NAMES)}")
