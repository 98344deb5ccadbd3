"""H-tree interconnect among the PEs of a tile (and among tiles when the global bus is an H-tree)."""

from __future__ import annotations

import math

from neurocim.circuits.base import Footprint
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.wires.repeated_wire import Relax, cycles, size_repeaters, wire_resistance_per_length


class HTree:
    """Repeated H-tree from the tree root (at the grid edge) to every leaf unit; NeuroSim V1.4 HTree model.

    Only root-to-leaf transfers are modelled: Tile and Chip always call the tree with a source at (0, 0).
    """

    def __init__(self, ctx: CircuitContext, num_row: int, num_col: int, delay_tolerance: float, bus_width: float):
        self.ctx = ctx
        self.bus_width = bus_width
        # vertical segments take N stages, horizontal ones N + 1 (the last one is the main bus)
        self.num_stage = 2 * math.ceil(math.log2(max(num_row, num_col))) + 1
        self.num_level = (self.num_stage - 1) // 2
        self.repeaters = size_repeaters(ctx, delay_tolerance, Relax.HALVE)
        # the grid is padded to a power of two per side; the root sits at the centre column, moved
        # one unit inwards if it would fall on the boundary
        self.main_bus_units = _main_bus_units(ctx, num_row, num_col, self.num_level)
        self.total_wire_length = 0.0
        self.area = self.height = self.width = 0.0
        self.leakage = 0.0
        # per (unit height, unit width): one transfer's delay (s) and one bit's energy (J) along the tree; they read
        # only this tree's fixed construction and settings
        self._delays: dict[tuple[float, float, float], float] = {}
        self._bit_energies: dict[tuple[float, float], float] = {}

    def layout(self, unit_height: float, unit_width: float, folded_ratio: float) -> Footprint:
        """Wire area of the tree over a grid of units of the given size (m); the bus is folded by `folded_ratio`."""
        rep = self.repeaters
        scale = 2**self.num_level
        length_v = unit_height * scale / 2
        length_h = unit_width * scale / 2
        width_v = width_h = 0.0
        area = total = 0.0
        # the last (leaf) level overlaps the units' own layout and is not counted
        for _ in range(1, self.num_level):
            length_v /= 2
            width_v += self.bus_width * rep.width / folded_ratio  # every level carries the full bus width
            area += width_v * length_v / 2
            length_h /= 2
            width_h += self.bus_width * rep.height / folded_ratio
            area += width_h * length_h / 2
            total += length_v + length_h
        total += self.main_bus_units * unit_width
        area += (self.bus_width * rep.height / folded_ratio) * self.main_bus_units * unit_width
        self.total_wire_length = total
        self.area = area
        self.leakage = self.leakage_for(self.bus_width)
        return Footprint(area, self.height, self.width)

    def leakage_for(self, num_bit_access: float) -> float:
        """Repeater leakage (W) of `num_bit_access` wires along the laid-out tree (Tile passes the bus width)."""
        return self.repeaters.leakage_per_length * self.total_wire_length * num_bit_access

    def _transfer_delay(self, unit_height: float, unit_width: float, stale_res_ohm_per_m: float = 0.0) -> float:
        """Root-to-leaf delay (s) of one transfer (kept per unit size and first-level resistance)."""
        key = (unit_height, unit_width, stale_res_ohm_per_m)
        found = self._delays.get(key)
        if found is None:
            found = self._delays[key] = self._compute_transfer_delay(unit_height, unit_width, stale_res_ohm_per_m)
        return found

    def _compute_transfer_delay(self, unit_height: float, unit_width: float, stale_res_ohm_per_m: float) -> float:
        """Root-to-leaf delay (s) of one transfer; each level's wire width follows its length. NeuroSim V2.1 (quirk
        v21_htree_stale_wire_resistance) times both segments of a level with the wire resistance its previous level's
        horizontal segment left in an uninitialised variable; at the first level, with what the variable holds when
        the tree is called, `stale_res_ohm_per_m` (none, 0 ohm/m, unless the caller knows better)."""
        rep = self.repeaters
        scale = 2**self.num_level
        length_v = unit_height * scale
        length_h = unit_width * scale
        stale = self.ctx.p.quirk("v21_htree_stale_wire_resistance")
        delay = 0.0
        unit_delay = 0.0  # a 1x1 tree has no levels and a zero-length main bus
        res_left = stale_res_ohm_per_m
        for _ in range(self.num_level):
            length_v /= 2
            length_h /= 2
            res_v = wire_resistance_per_length(self.ctx, length_v)
            res_h = wire_resistance_per_length(self.ctx, length_h)
            if stale:
                res_v = res_h_used = res_left
                res_left = res_h
                res_h = res_h_used
            delay += rep.segment_delay(length_v, res_v)
            unit_delay = rep.delay_per_length(res_h)
            delay += rep.segment_delay(length_h, res_h)
        # NeuroSim quirk: the main bus reuses the per-length delay of the last horizontal level
        return delay + self.main_bus_units * unit_width * unit_delay

    def latency(
        self, unit_height: float, unit_width: float, num_read: float, clk_freq: float, stale_res_ohm_per_m: float = 0.0
    ) -> float:
        """Latency of `num_read` transfers: seconds, or clock cycles when synchronous (`stale_res_ohm_per_m`: see
        `_transfer_delay`)."""
        delay = self._transfer_delay(unit_height, unit_width, stale_res_ohm_per_m)
        return cycles(delay, self.ctx.p.chip.clock.synchronous, clk_freq) * num_read

    def critical_latency(self, unit_height: float, unit_width: float, clk_freq: float) -> float:
        """One transfer in (unrounded) clock cycles: NeuroSim's `critical_latency` (set only when synchronous)."""
        return self._transfer_delay(unit_height, unit_width) * clk_freq

    def energy(self, unit_height: float, unit_width: float, num_bit_access: float, num_read: float) -> float:
        """Dynamic energy (J) of `num_read` transfers of `num_bit_access` bits each."""
        key = (unit_height, unit_width)
        found = self._bit_energies.get(key)
        if found is None:
            found = self._bit_energies[key] = self._bit_energy(unit_height, unit_width)
        return found * num_bit_access * num_read

    def _bit_energy(self, unit_height: float, unit_width: float) -> float:
        """Dynamic energy (J) of one bit from the root to a leaf."""
        rep = self.repeaters
        scale = 2**self.num_level
        # NeuroSim quirk: the energy starts from half the latency's first-level lengths
        length_v = unit_height * scale / 2
        length_h = unit_width * scale / 2
        energy = 0.0
        for _ in range(self.num_level):
            length_v /= 2
            energy += rep.segment_energy(length_v)
            length_h /= 2
            energy += rep.segment_energy(length_h)
        return energy + self.main_bus_units * unit_width * rep.energy_per_length


def _main_bus_units(ctx: CircuitContext, num_row: int, num_col: int, num_level: int) -> int:
    """Unit pitches from the grid edge to the tree root: half the power-of-two grid the tree spans; NeuroSim V2.1
    (quirk v21_htree_root_log2) puts the root floor(log2(min(rows, cols))) units in, on the grid as placed."""
    side = 2**num_level
    if ctx.p.quirk("v21_htree_root_log2"):
        side, x_center = num_col, int(math.floor(math.log2(min(num_row, num_col))))
    else:
        x_center = int(side / 2.0)
    if side - x_center < 1:
        x_center -= 1
    return min(side - x_center, x_center)
