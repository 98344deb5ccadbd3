"""NeuroSim V2.1 training-cost behaviours the model can reproduce: named switches read from `Params.quirks`."""

from __future__ import annotations

from neurocim.compat.quirks import Quirk
from neurocim.config.params import Params

ADC_EVERY_COLUMN = "wg_adc_converts_every_column"
WRITE_ACTIVITY_UNSET = "wg_write_activity_unset"
ACCUMULATION_FORWARD_MUX = "wg_accumulation_reads_forward_mux"
ARRAYS_FLOOR = "wg_arrays_floor"
WRITE_SELECT_READ_COUNT = "wg_write_select_read_count"
BUFFER_WITHOUT_GRADIENT_BITS = "wg_buffer_sized_without_gradient_bits"
SPEED_UP_IGNORES_CAPACITY = "wg_speed_up_ignores_capacity"
AG_FORWARD_COLUMNS = "ag_reads_forward_columns"
AG_MUX_ENERGY_AS_LATENCY = "ag_mux_energy_as_latency"
AG_LEAKAGE_FORWARD_SWITCH = "ag_leakage_counts_forward_switch"

TRAINING_QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        ADC_EVERY_COLUMN,
        "the weight-gradient ADC energy converts every column at each of the rows_per_adc x input_bits steps",
        "each of the columns / rows_per_adc ADCs converts once per step",
    ),
    Quirk(
        WRITE_ACTIVITY_UNSET,
        "sizes the weight-gradient precharger and write driver before the layer's activity is known (0), so "
        "activation writes cost them no energy",
        "the bit lines and write drivers of the written columns (the layer's activity) switch",
    ),
    Quirk(
        ACCUMULATION_FORWARD_MUX,
        "times the adder tree across weight-gradient arrays by the forward columns per ADC (numColMuxed)",
        "by the weight-gradient rows per ADC, one addition per ADC step",
    ),
    Quirk(
        ARRAYS_FLOOR,
        "sizes the weight-gradient unit with floor(windows / rows) x floor(C_in x input bits / cols) arrays, too "
        "few to hold the largest layer (at least one each here; NeuroSim builds none)",
        "ceil of both: enough arrays for the largest layer's activations",
    ),
    Quirk(
        WRITE_SELECT_READ_COUNT,
        "charges the weight-gradient row-select register of an activation write with the latency and energy of its "
        "rows_per_adc x input_bits read loads",
        "one register load per word line switched while writing",
    ),
    Quirk(
        BUFFER_WITHOUT_GRADIENT_BITS,
        "sizes the gradient buffer (and so the gradient accumulator and the arrays written in parallel) before the "
        "weight-gradient unit knows its output precision: ceil(log2 batch) bits per gradient instead of "
        "out precision + ceil(log2 batch)",
        "out precision + ceil(log2 batch) bits per gradient",
    ),
    Quirk(
        SPEED_UP_IGNORES_CAPACITY,
        "times a layer's weight gradient with floor(arrays per side / arrays needed per side) copies (at least 1; a "
        "fully connected layer: arrays per row x its 128-column groups), even when its activations need more arrays "
        "than the unit has",
        "floor(arrays / arrays needed) copies when the activations fit, else ceil(arrays needed / arrays) rounds of "
        "writing and reading",
    ),
    Quirk(
        AG_FORWARD_COLUMNS,
        "costs the activation-gradient ADCs with the forward pass's column resistances (input bit-vectors applied to "
        "the rows), windows x input bits vectors",
        "the rows' resistances with half the columns driven by errors (no error traces exist), windows x error "
        "bits vectors",
    ),
    Quirk(
        AG_MUX_ENERGY_AS_LATENCY,
        "adds the activation-gradient mux and decoder energy (J / error bits) where their latency belongs",
        "the mux and decoder latency of every ADC step",
    ),
    Quirk(
        AG_LEAKAGE_FORWARD_SWITCH,
        "counts the leakage of an eNVM sub-array's source-line switches twice: once for the forward read and again "
        "for the transposed read-out that reuses them",
        "once: the transposed read-out adds the leakage of its own circuits only",
    ),
)


def has_quirk(p: Params, name: str) -> bool:
    """Whether the training quirk `name` is reproduced (switched on through the chip's compat or quirks)."""
    return name in p.quirks
