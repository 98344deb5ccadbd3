"""Rows one ADC conversion sums, as tensors: the chip's read groups (from the LayerMapping) and NeuroSim's wrapper's."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor

from neurocim.mapping.layer_mapping import LayerMapping


@dataclass(frozen=True)
class RowGroups:
    """Read groups as an index (G, N) into the R unrolled rows; the value R marks an empty slot."""

    index: Tensor
    rows: int

    @property
    def count(self) -> int:
        return int(self.index.shape[0])

    @property
    def size(self) -> int:
        return int(self.index.shape[1])

    @property
    def dropped(self) -> int:
        """Rows that belong to no group (NeuroSim compat only)."""
        return self.rows - int((self.index < self.rows).sum())

    @classmethod
    def of(cls, mapping: LayerMapping) -> RowGroups:
        """The read groups of a layer's mapping."""
        return cls(torch.from_numpy(mapping.read_groups()), mapping.channels * mapping.positions)

    def to(self, device: torch.device) -> RowGroups:
        return RowGroups(self.index.to(device), self.rows)

    def gather_last(self, x: Tensor) -> Tensor:
        """(..., R) -> (..., G, N), empty slots zero."""
        padded = F.pad(x, (0, 1))
        return padded[..., self.index]

    def gather_rows(self, w: Tensor) -> Tensor:
        """(..., R, C) -> (..., G, N, C), empty slots zero."""
        padded = F.pad(w, (0, 0, 0, 1))
        return padded[..., self.index, :]


def _assemble(row: Tensor, group: Tensor, slot: Tensor, rows: int) -> RowGroups:
    """Index from per-row (group id, slot) pairs; group ids are renumbered densely in order."""
    ids, dense = torch.unique(group, sorted=True, return_inverse=True)
    index = torch.full((len(ids), int(slot.max()) + 1 if len(slot) else 1), rows, dtype=torch.long)
    index[dense, slot] = row
    return RowGroups(index, rows)


def _row_ids(channels: int, positions: int) -> tuple[Tensor, Tensor, Tensor]:
    """Channel, kernel position and unrolled row id (F.unfold order: c * positions + pos) of every row."""
    c = torch.arange(channels).repeat_interleave(positions)
    pos = torch.arange(positions).repeat(channels)
    return c, pos, c * positions + pos


def neurosim_groups(channels: int, positions: int, group_size: int) -> RowGroups:
    """NeuroSim V1.4 wrapper grouping: per kernel position, floor(C/N) groups of N contiguous channels.

    Channels past a multiple of N are dropped (they reach no partial sum); when C < N all channels form one group.
    """
    if group_size < 1:
        raise ValueError(f"group size={group_size} must be >= 1")
    c, pos, row = _row_ids(channels, positions)
    if channels < group_size:
        return _assemble(row, pos, c, channels * positions)
    per_pos = channels // group_size
    keep = c < per_pos * group_size
    group = pos * per_pos + c // group_size
    return _assemble(row[keep], group[keep], (c % group_size)[keep], channels * positions)
