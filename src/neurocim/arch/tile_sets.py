"""The chip's tile kinds: building them over one shared sub-array, and sharing them across a chip-level sweep."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from neurocim.arch.subarray import SubArray
from neurocim.arch.tile import Tile
from neurocim.circuits.context import CircuitContext

# Parameters only the chip-level periphery reads (global bus and buffer): tiles do not depend on them.
CHIP_LEVEL_ONLY = {
    "global_bus_htree": False,
    "global_buffer_sram": False,
    "global_buffer_core_rows": 0,
    "global_buffer_core_cols": 0,
    "global_bus_delay_tolerance": 0.0,
    "max_global_bus_width": 0,
}
_TILE_SETS: dict[tuple, tuple[Tile | None, Tile]] = {}
_TILE_SETS_KEPT = 8


def shared_tiles(
    ctx: CircuitContext, fp, clk_freq: float, *, dtype: type[np.floating] = np.float64
) -> tuple[Tile | None, Tile]:
    """build_tiles, shared by the recent configurations that differ only in chip-level settings (a sweep over the
    global bus or buffer). Call reset_state on them before evaluating."""
    key = (
        replace(ctx.p, **CHIP_LEVEL_ONLY),
        ctx.tech,
        ctx.cell,
        fp.num_pe_nm,
        fp.pe_size_nm,
        fp.num_pe_cm,
        fp.pe_size_cm,
        clk_freq,
        np.dtype(dtype).str,
    )
    tiles = _TILE_SETS.pop(key, None)
    if tiles is None:
        tiles = build_tiles(ctx, fp, clk_freq, dtype=dtype)
        while len(_TILE_SETS) >= _TILE_SETS_KEPT:
            _TILE_SETS.pop(next(iter(_TILE_SETS)))
    _TILE_SETS[key] = tiles  # most recently used last
    return tiles


def build_tiles(
    ctx: CircuitContext, fp, clk_freq: float, *, dtype: type[np.floating] = np.float64
) -> tuple[Tile | None, Tile]:
    """The chip's two tile kinds (NeuroSim TileInitialize) over one shared sub-array, laid out.

    The novel-mapping tile exists only with novel mapping and at least one novel-mapped layer.
    """
    p = ctx.p
    subarray = SubArray(ctx, p.num_row_sub_array, p.num_col_sub_array, p.wires.unit_resistance, clk_freq)
    tile_nm = None
    if p.novel_mapping and fp.num_pe_nm and fp.pe_size_nm:
        tile_nm = Tile(ctx, subarray, True, fp.num_pe_nm, fp.pe_size_nm, clk_freq, dtype=dtype)
        tile_nm.layout()
    tile_cm = Tile(ctx, subarray, False, fp.num_pe_cm, fp.pe_size_cm, clk_freq, dtype=dtype)
    tile_cm.layout()
    return tile_nm, tile_cm
