"""Binary adder tree that accumulates partial sums (NeuroSim V1.4 AdderTree model)."""

from __future__ import annotations

import math

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.adder import Adder


class AdderTree:
    """`num_adder_tree` trees, each adding `num_subcore_row` inputs of `num_adder_bit` bits."""

    def __init__(self, ctx: CircuitContext, num_subcore_row: int, num_adder_bit: int, num_adder_tree: int) -> None:
        self.ctx = ctx
        self.num_subcore_row = int(num_subcore_row)
        self.num_adder_bit = int(num_adder_bit)
        self.num_adder_tree = int(num_adder_tree)
        self.num_stage = math.ceil(math.log2(self.num_subcore_row))
        self._latency_memo: dict[tuple[int, float], float] = {}
        self._power_memo: dict[int, tuple[float, float]] = {}
        self.area = self.height = self.width = 0.0

    def _stages(self, num_unit_add: int) -> tuple[int, int]:
        """(number of stages, number of inputs) for `num_unit_add` inputs; 0 means the full tree."""
        n = int(num_unit_add) or self.num_subcore_row
        return math.ceil(math.log2(n)), n

    def _stage_adders(self, num_unit_add: int) -> list[tuple[int, int]]:
        """(bits, adders) of every stage."""
        stages, inputs = self._stages(num_unit_add)
        bits, out = self.num_adder_bit, []
        while stages > 0:
            if self.ctx.p.quirk("adder_tree_drops_odd_input"):
                inputs //= 2  # NeuroSim: ceil(j/2) of an int is j//2, so an odd input count drops one adder
            else:
                inputs = -(-inputs // 2)
            out.append((bits, inputs))
            bits += 1
            stages -= 1
        return out

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """All the 1-bit adders of the trees packed into the given width (preferred) or height."""
        num_bit = sum(bits * adders for bits, adders in self._stage_adders(0))
        adder = Adder(self.ctx, num_bit, self.num_adder_tree)
        if new_width and mode is Layout.NONE:
            width = new_width
            height = adder.layout(0.0, new_width).area / width
        elif new_height and mode is Layout.NONE:
            height = new_height
            width = adder.layout(new_height, 0.0).area / height
        else:
            raise ValueError("[AdderTree] needs a width or a height with Layout.NONE")
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, num_read: float, num_unit_add: int, cap_load: float, clk_freq: float) -> float:
        """Cycles (synchronous) or seconds of `num_read` accumulations of `num_unit_add` inputs (0: all)."""
        latency = self._latency_per_read(int(num_unit_add), cap_load)
        if self.ctx.p.chip.clock.synchronous:
            latency = float(math.ceil(latency * clk_freq))  # cycles
        return latency * num_read

    def _latency_per_read(self, num_unit_add: int, cap_load: float) -> float:
        """Seconds of one accumulation (memoised: a pure function of the arguments)."""
        key = (num_unit_add, cap_load)
        if key not in self._latency_memo:
            stages, inputs = self._stages(num_unit_add)
            if self.ctx.p.quirk("v21_adder_tree_full_ripple"):
                self._latency_memo[key] = self._full_ripple_latency(stages, inputs, cap_load)
                return self._latency_memo[key]
            # NeuroSim V1.4: the first stage ripples through all its bits, later stages add only ~2 bits (carry
            # overlap).
            inputs //= 2
            latency = Adder(self.ctx, self.num_adder_bit, inputs).latency(1e20, cap_load, 1)
            stages -= 1
            while stages > 0:
                inputs //= 2
                latency += Adder(self.ctx, 2, inputs).latency(1e20, cap_load, 1)
                stages -= 1
            self._latency_memo[key] = latency
        return self._latency_memo[key]

    def _full_ripple_latency(self, stages: int, inputs: int, cap_load: float) -> float:
        """NeuroSim V2.1: every stage ripples through all its bits, one more bit per stage."""
        latency = 0.0
        for stage in range(stages):
            inputs //= 2
            latency += Adder(self.ctx, self.num_adder_bit + stage, inputs).latency(1e20, cap_load, 1)
        return latency

    def _power(self, num_unit_add: int) -> tuple[float, float]:
        """(energy of one accumulation, leakage) of all trees (memoised: a pure function of the argument)."""
        key = int(num_unit_add)
        if key not in self._power_memo:
            self._power_memo[key] = self._compute_power(key)
        return self._power_memo[key]

    def _compute_power(self, num_unit_add: int) -> tuple[float, float]:
        energy = leakage = 0.0
        for bits, adders in self._stage_adders(num_unit_add):
            adder = Adder(self.ctx, bits, adders)
            energy += adder.energy(1, adders)
            leakage += adder.leakage
        return energy * self.num_adder_tree, leakage * self.num_adder_tree

    def energy(self, num_read: float, num_unit_add: int) -> float:
        """Dynamic energy (J) of `num_read` accumulations of `num_unit_add` inputs (0: all)."""
        return self._power(num_unit_add)[0] * num_read

    @property
    def leakage(self) -> float:
        """Leakage (W) of all trees after a full accumulation (worked out when first asked: a tree built for its
        area alone never needs it)."""
        return self.leakage_for(0)

    def leakage_for(self, num_unit_add: int) -> float:
        """Leakage (W) as NeuroSim reports it after an accumulation of `num_unit_add` inputs (0: all)."""
        return self._power(num_unit_add)[1]
