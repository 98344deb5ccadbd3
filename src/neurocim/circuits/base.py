"""Shared pieces of every circuit model: layout modes and the footprint record."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

import numpy as np

# A number of operations: one count, or one count per input vector (numpy); energies take its shape.
Reads = TypeVar("Reads", float, np.ndarray)


class Layout(Enum):
    """How a circuit is fitted to the space its parent gives it."""

    NONE = "none"  # natural layout
    MAGIC = "magic"  # keep the area, fit the given height (or width)
    OVERRIDE = "override"  # force both given dimensions


@dataclass(frozen=True)
class Footprint:
    """Area (m^2) and bounding box (m) of a laid-out circuit."""

    area: float
    height: float
    width: float


def spread_over_width(name: str, area: float, new_width: float, mode: Layout) -> Footprint:
    """`area` spread over a given width; the only layout of blocks placed under the array (natural mode)."""
    if not new_width or mode is not Layout.NONE:
        raise ValueError(f"[{name}] needs new_width with Layout.NONE")
    return Footprint(area, area / new_width, new_width)


def fit_to_side(name: str, area: float, new_height: float, new_width: float, mode: Layout) -> Footprint:
    """`area` fitted to a given width (preferred) or height; the other modes go through `fit`."""
    if mode is not Layout.NONE:
        return fit(area, 0.0, 0.0, new_height, new_width, mode)  # NeuroSim exits here; we fit instead
    if new_width:
        return Footprint(area, area / new_width, new_width)
    if new_height:
        return Footprint(area, new_height, area / new_height)
    raise ValueError(f"{name}.layout needs new_width or new_height")


def fit(area: float, height: float, width: float, new_height: float, new_width: float, mode: Layout) -> Footprint:
    """Apply a layout mode to a natural (area, height, width)."""
    if mode is Layout.MAGIC:
        if new_height:
            return Footprint(area, new_height, area / new_height)
        if new_width:
            return Footprint(area, area / new_width, new_width)
    elif mode is Layout.OVERRIDE:
        if not (new_height and new_width):
            raise ValueError("Layout.OVERRIDE needs both new_height and new_width")
        return Footprint(new_height * new_width, new_height, new_width)
    return Footprint(area, height, width)
