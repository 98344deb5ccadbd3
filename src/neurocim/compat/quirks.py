"""The registry of NeuroSim V1.4 quirks the cost model can reproduce: each a named switch, off unless compat asks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ChipCompat(str, Enum):
    """Which original's quirks the cost model reproduces."""

    NONE = "none"  # physically faithful
    NEUROSIM_V14 = "neurosim_v14"  # DNN+NeuroSim V1.4's numbers, quirks included
    NEUROSIM_V21 = "neurosim_v21"  # DNN+NeuroSim V2.1's numbers (on-chip training), quirks included


@dataclass(frozen=True)
class Quirk:
    """One behaviour of the original that a faithful model does differently."""

    name: str
    original: str  # what NeuroSim V1.4 does
    faithful: str  # what neurocim does without compat


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

# NeuroSim V2.1's training-cost quirks (training_cost/, listed in docs/training_cost.md)
TRAINING_QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        "v21_weight_digits_quotient",
        "splits an integer weight into cells by keeping the running quotient instead of the remainder, and steps "
        "the conductance by an integer division (cells can exceed G_max)",
        "stores the weight's base-2^cell_bit digits, each between G_min and G_max",
    ),
    Quirk(
        "v21_gradient_buffer_before_unit",
        "sizes the gradient buffer (and so the arrays written in parallel) before the weight-gradient unit's output "
        "precision is known, taking it as 0 bits",
        "sizes it with the weight-gradient unit's output precision",
    ),
    Quirk(
        "v21_dram_activations_without_channels",
        "moves H*W*input_bits bits per activation map to and from DRAM, dropping the channel count",
        "moves H*W*C_in*input_bits bits",
    ),
    Quirk(
        "v21_dram_breakdown_six_by_six",
        "reports as DRAM traffic the activation transfer cost times 6 and again times 6 (4 for the first layer), "
        "plus the weight-gradient traffic",
        "reports the DRAM traffic the phases pay",
    ),
    Quirk(
        "v21_leakage_read_phases_only",
        "charges a layer's leakage only over its forward and activation-gradient time (the weight gradient and the "
        "update leak nothing)",
        "charges it over all four phases of the layer",
    ),
)

_V14_NAMES = frozenset(q.name for q in QUIRKS)
_NAMES = _V14_NAMES | frozenset(q.name for q in TRAINING_QUIRKS)
_MODES = {
    ChipCompat.NONE: frozenset(),
    ChipCompat.NEUROSIM_V14: _V14_NAMES,
    ChipCompat.NEUROSIM_V21: _V14_NAMES | frozenset(q.name for q in TRAINING_QUIRKS),
}


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
