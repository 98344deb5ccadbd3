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
    def of(cls, p: Derived) -> CircuitContext:
        """The context of the chip `p` derives from: its node's transistors and its memory cell."""
        t = p.chip.technology
        tech = load_technology(t.node_nm, t.roadmap, t.temperature_k, v21=p.quirk("v21_transistor_data"))
        return cls(tech, p, mem_cell(p))

    @property
    def temperature(self) -> int:
        return self.p.chip.technology.temperature_k
