"""The registry of NeuroSim quirks the cost model can reproduce: each a named switch, off unless compat asks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ChipCompat(str, Enum):
    """Which original's quirks the cost model reproduces."""

    NONE = "none"  # physically faithful
    NEUROSIM_V14 = "neurosim_v14"  # DNN+NeuroSim V1.4's numbers, quirks included
    NEUROSIM_V21 = "neurosim_v21"  # DNN+NeuroSim V2.1's numbers (its older inference core), quirks included


@dataclass(frozen=True)
class Quirk:
    """One behaviour of the original that a faithful model does differently."""

    name: str
    original: str  # what NeuroSim does
    faithful: str  # what neurocim does without compat
    modes: frozenset[ChipCompat] = frozenset({ChipCompat.NEUROSIM_V14, ChipCompat.NEUROSIM_V21})  # who reproduce it


QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        "windows_ignore_padding",
        "counts a layer's sliding windows as a valid (unpadded) convolution: (H-K+1)(W-K+1)",
        "counts the output pixels of the padded ('same') convolution the network computes: H*W/stride^2",
    ),
    Quirk(
        "operations_ignore_stride",
        "counts 2*H*W*rows*C_out operations per image for every layer, whatever its stride",
        "counts two operations per multiply-accumulate of the windows computed: 2*windows*rows*C_out",
    ),
    Quirk(
        "flash_adc_integer_division",
        "the MLSA interface energy takes 1/(levels-1) as an integer division (0 for more than two levels)",
        "takes the real quotient 1/(levels-1)",
    ),
    Quirk(
        "pe_output_bits_sqrt",
        "widens the PE output by ceil(sqrt(sub-arrays)) bits instead of ceil(log2(sub-arrays))",
        "widens the PE output by the adder-tree depth, ceil(log2(sub-arrays)) bits",
    ),
    Quirk(
        "adder_tree_drops_odd_input",
        "halves the adder count per stage with an integer ceil of an integer division, dropping one adder "
        "for an odd input count",
        "adds ceil(n/2) adders per stage",
    ),
    Quirk(
        "tile_buffers_take_pe_type",
        "builds the tile buffers with the PE buffer type (register file or SRAM)",
        "builds them with the tile buffer type",
    ),
    Quirk(
        "grid_pe_repeats_previous",
        "a conventional-mapping PE outside the layer's matrix re-adds the previous PE's latency and energy",
        "a PE that holds no weights costs no read energy or latency",
    ),
    Quirk(
        "top_weight_level_wraps",
        "stores the largest weight (+1.0) as level 2^bits, which wraps to all-zero cell digits",
        "clips the largest weight to the top level 2^bits - 1, so it is stored as all-one digits",
    ),
    Quirk(
        "weights_rounded_as_csv",
        "reads weights back from its CSV trace files, rounded to the digits the wrapper printed",
        "maps the quantised weights (their integer codes) exactly",
    ),
)

_NAMES = frozenset(q.name for q in QUIRKS)
_MODES = {mode: frozenset(q.name for q in QUIRKS if mode in q.modes) for mode in ChipCompat}


def quirk_names() -> frozenset[str]:
    """Every registered quirk."""
    return _NAMES


def enabled_quirks(mode: ChipCompat, overrides: dict[str, bool] | None = None) -> frozenset[str]:
    """The quirks a compat mode reproduces, with single quirks switched on or off by `overrides`."""
    enabled = set(_MODES[mode])
    for name, on in (overrides or {}).items():
        if name not in _NAMES:
            raise ValueError(f"unknown quirk {name!r}; known: {', '.join(sorted(_NAMES))}")
        (enabled.add if on else enabled.discard)(name)
    return frozenset(enabled)
