"""The context every circuit model reads: technology, resolved parameters and the memory cell."""

from __future__ import annotations

from dataclasses import dataclass

from neurocim.config.params import Params
from neurocim.devices.cell import MemCell
from neurocim.tech.technology import Technology


@dataclass(frozen=True)
class CircuitContext:
    tech: Technology
    p: Params
    cell: MemCell

    @property
    def temperature(self) -> int:
        return self.p.temperature_k
