"""The chip's tile kinds, built over one shared sub-array."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Protocol, cast

import numpy as np

from neurocim.arch.subarray.subarray import SubArray
from neurocim.arch.tile import Tile
from neurocim.circuits.context import CircuitContext
from neurocim.config.chip import MappingType
from neurocim.config.derived import Derived
from neurocim.workload.recorded import ReadRecorder, values_getter


class SubArrayGrowth(Hashable, Protocol):
    """A value (hashable: caches key on it) that lays a sub-array out again with more periphery beside it, as a
    training chip's transposed read-out: the PEs, tiles and chip built over the result span the larger sub-array."""

    def __call__(self, subarray: SubArray) -> SubArray: ...


def build_tiles(
    ctx: CircuitContext,
    fp,
    clk_freq: float,
    *,
    dtype: type[np.floating] = np.float64,
    subarray=None,
    grow: SubArrayGrowth | None = None,
    pe_ctx: CircuitContext | None = None,
) -> tuple[Tile | None, Tile]:
    """The chip's two tile kinds (NeuroSim TileInitialize) over one shared sub-array, laid out.

    The novel-mapping tile exists only with novel mapping and at least one novel-mapped layer. `subarray`: the
    sub-array to build them over instead of the configured one (e.g. one with training periphery beside it);
    `grow`: what lays that sub-array out again before the tiles are built over it; `pe_ctx`: the context the
    sub-array and the PEs read (default: `ctx`).
    """
    p = ctx.p
    if subarray is None:
        sub = pe_ctx or ctx
        subarray = SubArray(sub, sub.p.chip.array.rows, sub.p.chip.array.cols, sub.p.wires.unit_resistance, clk_freq)
    if grow is not None:
        subarray = grow(subarray)
    tile_cm = Tile(ctx, subarray, False, fp.num_pe_cm, fp.pe_size_cm, clk_freq, dtype=dtype, pe_ctx=pe_ctx)
    tile_nm = None
    if p.chip.mapping is MappingType.NOVEL and fp.num_pe_nm and fp.pe_size_nm:
        # NeuroSim V2.1 keeps one pair of buffer core counts for both tile kinds; the conventional tile sets it last
        shared = p.quirk("v21_tile_buffer_cores_shared")
        cores = (tile_cm.periphery.num_in_core, tile_cm.periphery.num_out_core) if shared else None
        tile_nm = Tile(ctx, subarray, True, fp.num_pe_nm, fp.pe_size_nm, clk_freq, dtype=dtype, buffer_cores=cores,
                       pe_ctx=pe_ctx)  # fmt: skip
        tile_nm.layout()
    tile_cm.layout()
    return tile_nm, tile_cm


class TileUnits:
    """A chip's two tile kinds (build_tiles), the tiles reading the chip's settings through one recorder and their
    sub-array and PEs through another; the recorders note every field the units ever read, at construction and in
    every evaluation since. Kept in a workload's cache, they serve a later chip that agrees on all of those fields
    (`rebind`): what the units computed from them holds for it. They read the settings of the chip they were last
    bound to."""

    def __init__(
        self, ctx: CircuitContext, fp, clk_freq: float, dtype: type[np.floating], grow: SubArrayGrowth | None
    ) -> None:
        self.settings = ctx.p
        self.tile_params, self.pe_params = ReadRecorder(ctx.p), ReadRecorder(ctx.p)
        # a getter of the values of the fields read so far (made again when they grow; not sent to other processes)
        self._values: tuple[tuple[str, ...], Callable[[object], tuple]] | None = None
        tile_ctx, pe_ctx = (
            CircuitContext(ctx.tech, cast(Derived, r), ctx.cell) for r in (self.tile_params, self.pe_params)
        )
        self.tile_nm, self.tile_cm = build_tiles(tile_ctx, fp, clk_freq, dtype=dtype, grow=grow, pe_ctx=pe_ctx)

    @property
    def names(self) -> tuple[str, ...]:
        """Every field the units have read so far (the tiles' and the PEs'), sorted."""
        return tuple(sorted(self.tile_params.names | self.pe_params.names))

    def __getstate__(self) -> dict:
        """A copy sent to another process makes its getter there."""
        return {**self.__dict__, "_values": None}

    def rebind(self, settings: Derived) -> bool:
        """Read `settings` from now on, if they agree with the bound ones on every field read so far; else False
        (nothing changes)."""
        if settings is self.settings:
            return True
        names = self.names
        if self._values is None or self._values[0] != names:
            self._values = names, values_getter(names)
        values = self._values[1]
        if values(settings) != values(self.settings):
            return False
        self.settings = settings
        self.tile_params.rebind(settings)
        self.pe_params.rebind(settings)
        return True
