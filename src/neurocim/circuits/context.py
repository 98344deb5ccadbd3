"""The context every circuit model reads: technology, the chip's settings and derived quantities, its memory cell."""

from __future__ import annotations

from dataclasses import dataclass

from neurocim.config.derived import Derived
from neurocim.devices.cell import MemCell, mem_cell
from neurocim.tech.technology import Technology, load_technology


@dataclass(frozen=True)
class CircuitContext:
    tech: Technology
    p: Derived
    cell: MemCell

    @classmethod
    def of(cls, p: Derived, tech: Technology | None = None) -> CircuitContext:
        """The context of the chip `p` derives from: its node's transistors (`tech`, when given, must be those:
        `load_technology(*technology_args(p))`) and its memory cell."""
        return cls(tech if tech is not None else load_technology(*technology_args(p)), p, mem_cell(p))

    @property
    def temperature(self) -> int:
        return self.p.chip.technology.temperature_k


def technology_args(p: Derived) -> tuple:
    """The arguments of `load_technology` for the chip `p` derives from."""
    t = p.chip.technology
    return t.node_nm, t.roadmap, t.temperature_k, p.quirk("v21_transistor_data")
