"""Cutting a batch of points into near-equal pieces, one per worker (shared by the process pool and Ray)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def chunks(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """`items` cut into at most `parts` contiguous, near-equal, non-empty pieces (order kept)."""
    n = len(items)
    parts = max(1, min(parts, n))
    bounds = [round(i * n / parts) for i in range(parts + 1)]
    return [list(items[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
