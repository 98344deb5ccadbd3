"""One cost record for every level of the hierarchy: latency and dynamic energy by component, leakage, clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import Enum


class Part(Enum):
    """The component an action's latency and energy are booked to; buffer and interconnect are parts of other."""

    ADC = "adc"
    ACCUMULATION = "accum"
    OTHER = "other"
    BUFFER = "buffer"
    INTERCONNECT = "ic"


# the fields an action of each part adds to, besides the totals
_BOOKED = {
    Part.ADC: (("latency_adc",), ("energy_adc",)),
    Part.ACCUMULATION: (("latency_accum",), ("energy_accum",)),
    Part.OTHER: (("latency_other",), ("energy_other",)),
    Part.BUFFER: (("latency_other", "buffer_latency"), ("energy_other", "buffer_energy")),
    Part.INTERCONNECT: (("latency_other", "ic_latency"), ("energy_other", "ic_energy")),
}
LATENCIES = ("latency", "buffer_latency", "ic_latency", "latency_adc", "latency_accum", "latency_other")
ENERGIES = ("energy", "buffer_energy", "ic_energy", "energy_adc", "energy_accum", "energy_other")


@dataclass(frozen=True)
class Cost:
    """What a unit (sub-array reads, PE, tile, layer) costs: latency (cycles when the chip is synchronous, else
    seconds) and dynamic energy (J), each in total and by component, leakage power (W) and, in the clock pass, the
    longest sensing latency seen (s)."""

    latency: float = 0.0
    energy: float = 0.0
    leakage: float = 0.0
    leakage_sram_in_use: float = 0.0  # W while computing (SRAM cells not being read)
    buffer_latency: float = 0.0
    buffer_energy: float = 0.0
    ic_latency: float = 0.0
    ic_energy: float = 0.0
    latency_adc: float = 0.0
    latency_accum: float = 0.0
    latency_other: float = 0.0
    energy_adc: float = 0.0
    energy_accum: float = 0.0
    energy_other: float = 0.0
    clk_period: float = 0.0

    def updated(self, **changes: float) -> Cost:
        """This cost with the fields `changes` names set (dataclasses.replace's result, several times faster: the
        hierarchy makes millions of these in a sweep)."""
        if not changes.keys() <= _FIELDS:
            raise TypeError(f"Cost has no field {sorted(changes.keys() - _FIELDS)}")
        out = object.__new__(Cost)
        values = out.__dict__
        values.update(self.__dict__)
        values.update(changes)
        return out

    def plus(self, part: Part, latency: float = 0.0, energy: float = 0.0) -> Cost:
        """This cost followed by an action of `part` taking `latency` and `energy`."""
        latencies, energies = _BOOKED[part]
        values = self.__dict__
        changes = {name: values[name] + latency for name in latencies}
        changes.update({name: values[name] + energy for name in energies})
        return self.updated(latency=self.latency + latency, energy=self.energy + energy, **changes)

    def latency_divided(self, factor: float) -> Cost:
        """Every latency divided by `factor` (work shared by `factor` copies)."""
        values = self.__dict__
        return self.updated(**{name: values[name] / factor for name in LATENCIES})

    @staticmethod
    def parallel(costs: Iterable[Cost]) -> Cost:
        """Units working side by side: every latency is the slowest unit's, energies add, the clock period is the
        longest; no leakage (the caller knows which units leak)."""
        out = dict.fromkeys((*LATENCIES, *ENERGIES, "clk_period"), 0.0)
        for cost in costs:  # NeuroSim's order: a running maximum and a running sum
            values = cost.__dict__
            for name in LATENCIES:
                out[name] = max(values[name], out[name])
            for name in ENERGIES:
                out[name] += values[name]
            out["clk_period"] = max(out["clk_period"], values["clk_period"])
        return Cost(**out)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_FIELDS = frozenset(f.name for f in fields(Cost))
