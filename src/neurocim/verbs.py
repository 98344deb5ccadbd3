"""Modules that are also the verb they are named: neurocim.estimate / train / explore are callable either way."""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any


def make_callable(module_name: str, target: str) -> None:
    """Calling module `module_name` calls the function `target` ("package.module:function"), imported on first use."""
    where, function = target.split(":")

    class _Verb(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return getattr(import_module(where), function)(*args, **kwargs)

    _Verb.__doc__ = f"Module {module_name}; calling it calls {target}."
    sys.modules[module_name].__class__ = _Verb
