"""The registry of NeuroSim quirks the cost model can reproduce: each a named switch, off unless compat asks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ChipCompat(str, Enum):
    """Which original's quirks the cost model reproduces."""

    NONE = "none"  # physically faithful
    NEUROSIM_V14 = "neurosim_v14"  # DNN+NeuroSim V1.4's numbers, quirks included
    NEUROSIM_V21 = "neurosim_v21"  # DNN+NeuroSim V2.1's numbers (on-chip training, older core), quirks included


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
    Quirk(
        "novel_rows_position_major",
        "a novel-mapped tile's PE k takes rows row + k*C_in + i of the unrolled weights, as if they were "
        "kernel-position-major (they are channel-major: c*positions + k), so a PE holds a mix of kernel positions; "
        "with several tiles per layer, PEs and tiles take equal shares of the rows and columns, rounded down",
        "PE k of a novel-mapped tile holds kernel position k of the tile's channels (rows c*positions + k), at most "
        "a PE's size of channels and columns per tile",
    ),
    Quirk(
        "read_groups_floor",
        "counts rows // parallel_rows read groups (ADC conversions) per sub-array column, dropping a partial group",
        "counts ceil(rows / parallel_rows), as many as the rows are read in",
    ),
    Quirk(
        "floorplan_partial_sub_arrays",
        "counts a tile's cells as its size squared (PE and tile sizes are powers of two of rows), though its PEs are "
        "built of whole sub-arrays and duplication fills them: where sub-arrays do not divide the PE size, "
        "utilisation can pass 1",
        "counts the cells of the whole sub-arrays a tile's PEs are built of, ceil(PE / rows) x ceil(PE / cols) each, "
        "so utilisation stays within 1",
    ),
)

_V21 = frozenset({ChipCompat.NEUROSIM_V21})
# V2.1's inference core is an older one than V1.4's: these select its data and its behaviour.
QUIRKS += (
    Quirk(
        "v21_transistor_data",
        "V2.1's planar transistors: 90 nm LSTP ideal gate capacitance 1.5413e-10 F/m (V1.4: 1.5413e-9), no drain "
        "capacitance at 130 nm LSTP and 65 nm HP, its own gate lengths; its 14/10/7 nm FinFETs (PTM HP and LP, per "
        "metre of fin perimeter, fins counted by the fin pitch, gate input caps of pitch-scaled widths, planar "
        "junction caps and cell rules with the FinFET poly pitch, no up-sizing)",
        "NeuroSim V1.4's transistor data (IRDS/PTM)",
        _V21,
    ),
    Quirk(
        "v21_wire_table",
        "one wire width per node (32 nm: 40 nm) for cells, wires and every metal layer, with its own aspect ratio "
        "and resistivity and no barrier correction",
        "NeuroSim V1.4's wire stack: M0, M1 and wire widths per node (32 nm: 56 nm), barrier-corrected resistivity",
        _V21,
    ),
    Quirk(
        "v21_cell_constants",
        "sizes its SRAM cell with 2.08/1.23/1.31 F NMOS/PMOS/access widths and gives the 1T1R access transistor a "
        "fixed 15 kOhm",
        "minimum-width SRAM cell transistors; access transistor on-resistance = R_on x the IR-drop tolerance",
        _V21,
    ),
    Quirk(
        "v21_tile_bus_width",
        "sizes a tile's H-tree for one sub-array's rows per PE column of its grid: ceil(sqrt(PEs)) x sub-array rows",
        "sizes it for every PE's rows at once: PEs x PE size (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_global_accumulation_reads",
        "reads the chip accumulation (layers over several tile rows) once per output channel per tile column, "
        "windows per adder tree rounded up: tile columns x C_out x ceil(windows / trees)",
        "reads it for the outputs of the layer: ceil(C_out x windows / trees)",
        _V21,
    ),
    Quirk(
        "v21_global_htree_one_transfer",
        "counts a layer's transfers over the global H-tree as ceil((bits loaded + bits written back) / its lanes), as "
        "if a write-back could share a transfer with a load",
        "ceil(bits loaded / lanes) + ceil(bits written back / lanes): the loads and write-backs are transfers apart",
        _V21,
    ),
    Quirk(
        "v21_no_wire_leakage",
        "leaves the repeaters of the PE buses and the tile H-tree out of the PE and tile leakage",
        "counts their leakage (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_mlsa_encoder",
        "its older MLSA encoder: 2x NAND2s, an INV and a NAND2 switching per level and output bit (energy counted), "
        "only its first two stages in the latency, a (levels-1)-gate-high layout",
        "V1.4's encoder: 4x NAND2s, switching energy neglected, area of every level's INV and NAND2",
        _V21,
    ),
    Quirk(
        "v21_pe_counts_used_area",
        "a PE's area counts its sub-arrays' circuits only (their used area), not the rectangle they are laid out in",
        "counts each sub-array's laid-out rectangle, empty space included (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_mlsa_area",
        "sizes its older multilevel sense amplifier as 48 NMOS + 24 PMOS per comparator (voltage mode 52 + 60) "
        "with no dummy reference columns",
        "V1.4's MLSA: 9 minimum transistors per comparator plus the shared dummy columns",
        _V21,
    ),
    Quirk(
        "v21_tile_buffer_cores_shared",
        "keeps the tile buffer core counts in globals shared by both tile kinds; the conventional tile is set up "
        "last, so a novel-mapping tile lays out and splits its buffer traffic over the conventional tile's counts",
        "each tile kind has the buffer cores its own PEs need (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_buffer_full_lines",
        "moves a tile buffer transfer by reading every line and writing every line",
        "reads half the lines and writes the other half (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_adder_widths",
        "sizes partial sums with one bit per cell column (log2 levels + input bits + columns per weight + 1), adds "
        "log2 of the sub-arrays along a PE side in the tile, sends tile outputs as sign + adder bits divided "
        "over a novel tile's PEs and sizes the tile output buffer for the PEs' adder bits alone",
        "the cells' bits: log2 levels + log2 row groups + input bits + (columns - 1) x cell bits + 1, log2 of all "
        "the PE's sub-arrays, outputs of adder-tree stages + bits (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_pe_output_buffer_drops_bit",
        "sizes a PE's output buffer one bit per word narrower than the sums its adder tree gives (partial-sum bits "
        "less one + adder-tree stages), for its area, leakage and clocking energy",
        "as wide as the adder tree's sums: partial-sum bits + adder-tree stages",
        _V21,
    ),
    Quirk(
        "v21_tile_accumulation_trees",
        "builds a tile's accumulation with one adder tree per muxed column of one sub-array per PE: PEs (a novel "
        "tile's count, a conventional tile's per side) x sub-array columns / mux, for its area, energy and leakage",
        "one adder tree per output the PEs deliver together: PE size / mux (novel), PEs per side x PE size / mux "
        "(conventional; NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_chip_throughput_pe_grid",
        "sizes the chip accumulation and activation for a novel tile's outputs as its PE grid side x PE size "
        "columns (sqrt(PEs) x PE size / mux adder trees and ReLU units)",
        "as one PE's columns, the outputs a novel tile delivers (PE size / mux; NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_mux_energy_per_input_bits",
        "charges a sub-array read's column mux and its decoder a 1/input-bits share of their switching energy per "
        "input bit vector",
        "charges their full switching energy for every input bit vector read (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_wl_switch_five_drain_loads",
        "charges a 1T1R WL switch matrix's read voltage into five TG drain loads per selected row",
        "into the three drains of the TGs passing it (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_pooling_minimum_gates",
        "builds the max-pooling unit, its comparators included, from minimum transistors (not enlarged to the "
        "standard cell height)",
        "enlarges them to the cell height, as NeuroSim V1.4 (and its other logic) does",
        _V21,
    ),
    Quirk(
        "v21_shift_add_after_read",
        "times a parallel read's shift-adds after its conversions: per unit one adder step and half a clock of its "
        "register, more only where a step outlasts the read pulse",
        "overlaps the shift-adds with the next conversions, counting only the time they exceed the ADC and row "
        "driving (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_shift_add_read_counts",
        "reads a parallel read's shift-add over the cells of a weight once per muxed column (8 with 3-cell weights), "
        "and a transposed read-out's input shift-add muxed rows // cells per weight times (2)",
        "cells per weight - 1 times per weight of the muxed columns, muxed columns // cells per weight weights "
        "(4 with 3-cell weights; NeuroSim V1.4), and a transposed read-out's input shift-add once per weight of its "
        "muxed rows, ceil(rows / cells per weight) (3)",
        _V21,
    ),
    Quirk(
        "v21_tile_accumulation_truncated_reads",
        "reads a conventional tile's accumulation muxed columns // cells per weight times per input (C integer "
        "division, as the novel tile does)",
        "ceil(muxed columns / cells per weight) times per input (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_max_pooling_counts",
        "builds one max-pooling unit per column of a conventional tile and reads them ceil(windows / 4 / tile "
        "columns) times (novel: / PE size x sqrt(PEs)), the output channels left out",
        "one unit per ADC of a tile or PE (its columns / mux), read for every pooled output: ceil(windows x output "
        "channels / 4 / units) (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_column_settling_mean_resistance",
        "settles an eNVM column of a parallel read through the arithmetic mean of its on and off cells over half "
        "the rows: C_col x (R_on + R_off) / 2 / (rows / 2)",
        "through the parallel rows' harmonic mean of on and off cells, R_avg / parallel rows (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_buffer_word_line_along_width",
        "loads a register-file buffer's word-line decoder with a wire as long as the line's DFFs are wide (12 INVs "
        "each)",
        "with a wire as long as they are high (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_buffer_dff_clock_energy",
        "charges a register-file buffer access its DFFs' full clock and D-to-Q energy (every DFF switching)",
        "its DFF energy scaled by the calibrated switching activity gamma, none without calibration (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_pe_buffer_access_counts",
        "clocks a PE's input DFF buffer once per input word and its output buffer once per output bit (each access "
        "clocking every DFF), and times them one access per input vector and sub-array row, per vector of numbers",
        "one access per buffer-full of bits moved, for energy and time (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_sequential_read",
        "times a sequential (row by row) eNVM read additively: each muxed column of each active row converts in its "
        "slowest column's sense-amp time (one cell against the references), then the row adders (the full count width, "
        "their registers a bit more, each bit clocked) and registers step once per read and the shift-adds once per "
        "muxed column; the row decode (no WL wire load) per read against the column mux, and the muxed columns' "
        "bit-line settling (through the mean of an on and an off cell), both over the input's bit pulses; the sense "
        "amplifiers' and encoders' energy counts in the ADC share but not in the read's energy",
        "overlaps the adders and shift-adds with the conversions, counts each row decode and settling in full and "
        "the converters' energy in the read's (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_read_other_latency",
        "times an eNVM read's non-ADC part as the slower of its WL switch matrix (1T1R: 5 drain loads on a minimum "
        "NMOS; crossbar: the word line's switch matrix with 3 drain loads; plus half a clock of its register per "
        "read) and the column mux with its decoder over the input's bit pulses, "
        "plus the muxed columns' bit-line settling over the pulses",
        "the slower of the WL switch and the column mux per muxed column, the settling counted in the ADC time "
        "(NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_adder_tree_full_ripple",
        "times every adder-tree stage as a ripple through all its bits (one more bit per stage)",
        "the first stage ripples through all its bits, later ones add about two bits (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_adder_sizing",
        "builds adders from minimum (not enlarged) NAND2s and lays out whole adders per column or row",
        "enlarges the NAND2s to the cell height and spreads the adders' area over the given side (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_no_level_shifters",
        "builds no write level shifters into eNVM sub-arrays, whatever the write voltage",
        "adds WL, BL and SL level shifters when the write voltage exceeds 1.5 V (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_wire_activity",
        "charges H-tree and bus transfers at a switching activity of 0.25 for every bit, with no toggle rates",
        "activity 0.5 times the configured input and output toggle rates (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_pe_bus_carries_adc_bits",
        "sizes a PE's output-bus traffic as one ADC code (log2 levels bits) per output and window",
        "as the adder tree's output word (stages + adder bits) per output and window (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_repeater_delay",
        "times repeated wires (H-tree, buses) with the sum of the repeater's N and P on-resistances and a wire "
        "Elmore coefficient of 0.5, in their sizing and their delay",
        "the mean of the N and P on-resistances and a coefficient of 0.54 (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_htree_stale_wire_resistance",
        "times both segments of an H-tree level with the wire resistance an uninitialised variable holds: the "
        "previous level's horizontal wire, none at the first level (so its first level is timed as repeaters alone)",
        "each segment with the resistance of its own wire width",
        _V21,
    ),
    Quirk(
        "v21_mux_enable_inverters",
        "builds a mux decoder's enable stage (NAND, then two inverters on the pass gates) from two address-size "
        "inverters, for its area, delay and energy",
        "from two output drivers sized 2x minimum times the node's mux factor (110 at 22 nm; NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_switch_matrix_sizing",
        "sizes a line switch matrix's pass gates for 0.25 x the line resistance (an eNVM array's source lines: one "
        "cell's on-resistance) from the Vdsat-multiplied on-resistance of a 1 F device, narrower than F if that is "
        "all it takes, and takes that target as their resistance",
        "NeuroSim V1.4's sizing: the node's switch-matrix ratio x the line resistance (an eNVM array's source lines: "
        "the cells' mean resistance over the rows read at once, times the rows), widths at least F, the resistance "
        "that of the gates built",
        _V21,
    ),
    Quirk(
        "v21_tile_accumulation_trees",
        "gives a tile's accumulation one adder tree per read-out of one sub-array's columns per PE: PEs x "
        "sub-array columns / columns per ADC (a conventional tile counts its PEs along one side), for its "
        "energy, leakage and area",
        "one tree per read-out of the PE's columns: PE size / columns per ADC, times the PEs along a side in a "
        "conventional tile (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_htree_root_log2",
        "puts an H-tree's root floor(log2(min(rows, columns))) units from the grid's edge, so its main bus runs "
        "min(columns - that, that) unit widths (2 on a 5 x 5 grid of tiles)",
        "at the middle of the power-of-two grid the tree spans (NeuroSim V1.4: 4 units on a 5 x 5 grid)",
        _V21,
    ),
    Quirk(
        "v21_global_buffer_time_per_tile_share",
        "multiplies a layer's global-buffer load and write-back time by ceil(tiles of the chip / tiles of the layer), "
        "as if every layer's tiles shared the buffer while one layer runs at a time (layer by layer)",
        "the layer's transfers take the buffer's time over its parallel cores, once",
        _V21,
    ),
    Quirk(
        "v21_image_load_every_layer",
        "an inference-only forward pass charges every layer a DRAM read of the input image, sized as the first "
        "layer's H x W x input bits (its channels dropped)",
        "the first layer alone reads its input from DRAM: H x W x channels x input bits",
        _V21,
    ),
    Quirk(
        "v21_mlsa_read_time",
        "a read's sense-amp conversion takes its slowest column's time from the Cadence fits of R (1-10 ns clamp) "
        "and every column its power fit of R for that time, no reference columns (eNVM blocks read element-wise; the "
        "training read-out's too, from the forward column resistances)",
        "every conversion takes the MLSA's fixed reference-column time, the column and reference power for it "
        "(NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "wire_range_tests_always_true",
        "its H-tree picks a wire's width and resistivity with chained comparisons (a <= x <= b), always true in C++: "
        "every wire below 1e5 F is 2x the wire width, every width below 200 nm gets AR 2.30 and 2.73e-8 ohm*m",
        "1x, 2x or 4x the wire width by length (< 1e4 F, < 1e5 F, longer), resistivity of that width",
        _V21,
    ),
    Quirk(
        "v21_precharger",
        "its SRAM bit-line precharger: devices not grown to the cell height, one precharge PMOS (leaking) and two "
        "equalisers per column, a read recharging both bit lines",
        "V1.4's: devices grown to the cell height, two precharge PMOS (both leaking) and one equaliser per column, "
        "the read energy of one line per column",
        _V21,
    ),
    Quirk(
        "v21_sram_write_driver",
        "builds the SRAM write driver of minimum-size inverters",
        "grows its inverters to the standard cell height (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_mux_sizing",
        "sizes the column mux's transmission gates as its switch matrices' (1/4 of the target, a 1 F device's "
        "effective on-resistance, widths unrounded) for one on cell per row of an eNVM array, or an SRAM access "
        "transistor over twice the rows, and times them through one device (2x the TG resistance)",
        "sizes them from the Vdd/Ion resistance for the parallel rows' average cell, widths at least 1 F, timed "
        "with the resistance of the widths drawn (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_activity_over_block_rows",
        "counts an input vector's row activity over the rows of the sub-array's block of the weight matrix, then "
        "charges it over all the sub-array's rows: a partly filled sub-array's word lines, switches and array energy "
        "cost as if it were full (27 of 128 rows in a 3x3x3 layer)",
        "counts it over the sub-array's rows, so only the rows driven are charged (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_decoder_sizing",
        "builds every row and mux decoder (sub-arrays, buffers) of minimum-size gates with a 3x minimum output "
        "driver, and a sequential 1T1R array's WL decoder driver of minimum-size gates (its pass gates at their "
        "saturated on-resistance), and times an SRAM buffer's decoder without its word line's resistance",
        "grows the decoder gates to the standard cell height, sizes the output driver per node and drives the word "
        "line's resistance (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_sram_array_parasitics",
        "gives an SRAM array's word and bit lines their wire capacitance only (no access-transistor gates or drains), "
        "sizes the access transistor as a planar device at every node and takes its drain capacitance over the "
        "cell's width",
        "adds the access transistors' gate capacitance to the word line and their drain capacitance to the bit line, "
        "two fins per F at FinFET nodes, the drain over the logic cell height (NeuroSim V1.4)",
        _V21,
    ),
    Quirk(
        "v21_parallel_bit_line_energy",
        "charges an eNVM array's read bit lines to the read voltage in every parallel read vector (ADC energy): "
        "each ADC's bit line at each muxed column, over the sub-array's laid-out columns however few are mapped",
        "V1.4's: the bit-line charge is part of the converter's energy and is not counted again",
        _V21,
    ),
    Quirk(
        "v21_sram_parallel_read",
        "reads an SRAM array in parallel mode with its older periphery: both bit lines of every muxed column "
        "precharged (ADC energy) and no word-line charging, the mux and its decoder at 1/input bits of their energy "
        "and time, the weight shift-add at every muxed column, the input shift-add at the muxed columns per weight "
        "rounded down, the bit line settling once per vector (in the transposed read-out too, whose input shift-add "
        "rounds down under v21_shift_add_read_counts) and the shift-adds after the conversions",
        "V1.4's: the word lines charged once per muxed column, no precharge, the mux at every selection, the weight "
        "shift-add per weight, the bit line settling in every conversion and the shift-adds overlapping them",
        _V21,
    ),
)

# NeuroSim V2.1's training-cost quirks (training_cost/, listed in docs/training_cost.md)
TRAINING_QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        "v21_linear_weight_conductance",
        "reads a weight of one cell (weight bits = cell bits) at its level 0..2^bits over 2^bits conductance steps, "
        "(w + 1) / 2 of the way from G_min to G_max: 2^bits + 1 conductances for a cell of 2^bits levels",
        "stores the level as a cell digit 0..2^cell_bits - 1, over 2^cell_bits - 1 steps",
        _V21,
    ),
    Quirk(
        "v21_weight_digits_quotient",
        "splits an integer weight into cells by keeping the running quotient instead of the remainder, and steps "
        "the conductance by an integer division (cells can exceed G_max)",
        "stores the weight's base-2^cell_bit digits, each between G_min and G_max",
        _V21,
    ),
    Quirk(
        "v21_gradient_buffer_before_unit",
        "sizes the gradient buffer (and so the arrays written in parallel) before the weight-gradient unit's output "
        "precision is known, taking it as 0 bits",
        "sizes it with the weight-gradient unit's output precision",
        _V21,
    ),
    Quirk(
        "v21_dram_activations_without_channels",
        "moves H*W*input_bits bits per activation map to and from DRAM, dropping the channel count",
        "moves H*W*C_in*input_bits bits",
        _V21,
    ),
    Quirk(
        "v21_dram_breakdown_six_by_six",
        "reports as DRAM traffic the activation transfer cost times 6 and again times 6 (4 for the first layer), "
        "plus the weight-gradient traffic",
        "reports the DRAM traffic the phases pay",
        _V21,
    ),
    Quirk(
        "v21_training_forward_buffer_twice",
        "charges a training forward pass each layer's global-buffer loads and write-backs twice",
        "once, as an inference pass (the activations kept for the backward pass go to DRAM, charged there)",
        _V21,
    ),
    Quirk(
        "v21_breakdown_update_transfer_per_image",
        "books in the buffer and interconnect breakdown the weight update's delta-weight transfer into the tiles once "
        "per image (the slowest tile's time, every tile's energy), though it happens once per update",
        "books the transfer as the update pays it: once per update, its time over the arrays written in parallel",
        _V21,
    ),
    Quirk(
        "v21_breakdown_adc_slowest_both_reads",
        "books in the ADC latency breakdown the slowest sub-array's conversions of the forward and the "
        "activation-gradient reads together (each sub-array's both reads summed, then the maximum over sub-arrays, "
        "PEs and tiles), though the two passes run apart, each as slow as its own slowest sub-array",
        "the ADC time of each pass as the pass takes it: the forward read's slowest sub-array plus the transposed "
        "read's slowest",
        _V21,
    ),
    Quirk(
        "v21_leakage_read_phases_only",
        "charges a layer's leakage only over its forward and activation-gradient time (the weight gradient and the "
        "update leak nothing)",
        "charges it over all four phases of the layer",
        _V21,
    ),
    Quirk(
        "v21_leakage_idle_tiles_only",
        "charges a training layer's leakage in the other layers' tiles only, at the running layer's per-tile leakage: "
        "the running layer's own tiles (the SRAM cells it is not reading) leak nothing",
        "the running layer's tiles leak too (their SRAM cells not being read), as in the inference estimate",
        _V21,
    ),
    Quirk(
        "wg_adc_converts_every_column",
        "the weight-gradient ADC energy converts every column at each of the rows_per_adc x input_bits steps",
        "each of the columns / rows_per_adc ADCs converts once per step",
        _V21,
    ),
    Quirk(
        "wg_write_activity_unset",
        "sizes the weight-gradient precharger and write driver before the layer's activity is known (0), so "
        "activation writes cost them no energy",
        "the bit lines and write drivers of the written columns (the layer's activity) switch",
        _V21,
    ),
    Quirk(
        "wg_accumulation_reads_forward_mux",
        "times the adder tree across weight-gradient arrays by the forward columns per ADC (numColMuxed)",
        "by the weight-gradient rows per ADC, one addition per ADC step",
        _V21,
    ),
    Quirk(
        "wg_arrays_floor",
        "sizes the weight-gradient unit with floor(windows / rows) x floor(C_in x input bits / cols) arrays, too "
        "few to hold the largest layer (at least one each here; NeuroSim builds none)",
        "ceil of both: enough arrays for the largest layer's activations",
        _V21,
    ),
    Quirk(
        "wg_write_select_read_count",
        "charges the weight-gradient row-select register of an activation write with the latency and energy of its "
        "rows_per_adc x input_bits read loads",
        "one register load per word line switched while writing",
        _V21,
    ),
    Quirk(
        "wg_speed_up_ignores_capacity",
        "times a layer's weight gradient with floor(arrays per side / arrays needed per side) copies (at least 1; a "
        "fully connected layer: arrays per row x its 128-column groups), even when its activations need more arrays "
        "than the unit has",
        "floor(arrays / arrays needed) copies when the activations fit, else ceil(arrays needed / arrays) rounds of "
        "writing and reading",
        _V21,
    ),
    Quirk(
        "wg_sense_amp_enable_clock",
        "waits one clock period for the sense-amplifier enable at every read of a sequential weight-gradient array "
        "and of a sequential SRAM activation-gradient read-out (the weight-gradient array's older SRAM periphery, "
        "the precharger, write driver, switch matrix and decoder, are the v21_* circuit "
        "quirks)",
        "the sense amplifiers fire within the read, with no enable clock",
        _V21,
    ),
    Quirk(
        "ag_reads_forward_columns",
        "costs the activation-gradient ADCs with the forward pass's column resistances (input bit-vectors applied to "
        "the rows), windows x input bits vectors",
        "the rows' resistances with half the columns driven by errors (no error traces exist), windows x error "
        "bits vectors",
        _V21,
    ),
    Quirk(
        "ag_mux_energy_as_latency",
        "adds the activation-gradient mux and decoder energy (J / error bits) where their latency belongs",
        "the mux and decoder latency of every ADC step",
        _V21,
    ),
    Quirk(
        "ag_switch_timed_at_ir_drop_resistance",
        "times the transposed read-out's source-line switches as a transmission gate of the resistance it is sized "
        "for, 0.25 x the on cell's (its own SwitchMatrix model), charging its three drains and the column",
        "as the switch matrix's sized transmission gate (the forward chip's model)",
        _V21,
    ),
    Quirk(
        "ag_leakage_counts_forward_switch",
        "counts the leakage of an eNVM sub-array's source-line switches twice: once for the forward read and again "
        "for the transposed read-out that reuses them",
        "once: the transposed read-out adds the leakage of its own circuits only",
        _V21,
    ),
    Quirk(
        "ag_leakage_skips_first_layer",
        "counts no transposed read-out leakage in the first layer's tiles (they compute no activation gradient), "
        "though their sub-arrays carry the read-out",
        "every tile's read-out leaks, the first layer's included",
        _V21,
    ),
    Quirk(
        "wu_write_voltage_root_sum_square",
        "writes eNVM cells at the root sum square of the set and reset voltages (sqrt 2 x the write voltage) in every "
        "update energy: cells, lines and switch matrices",
        "at the write voltage",
        _V21,
    ),
    Quirk(
        "wu_write_energy_counts_scan_registers",
        "books the read scan registers' clocking of the row and column switch matrices as write energy on every "
        "update of a sub-array: the row register's for the forward read's column-mux steps, an eNVM array's column "
        "register's for the transposed read-out's steps (none in the first layer); and the row register's clocking "
        "time (half a clock period per column-mux step) as write time",
        "an update's write energy and time have no read scan-register clocking in them",
        _V21,
    ),
    Quirk(
        "wu_column_switch_pulses_unset",
        "charges the source-line switch matrix no selected-column charging per write pulse: its pulses per row are "
        "read when the sub-array is built, before any update (0)",
        "the switch passes the write voltage to the selected columns on every pulse of the row",
        _V21,
    ),
    Quirk(
        "wu_write_rows_full_array",
        "counts the switch matrices' write operations (their energy and time) as the sub-array's rows times the "
        "written block's row activity, as if a block with fewer rows (the first layer's 27) filled the array (an "
        "SRAM array's bits flipped: its rows and columns times the block's activities)",
        "the block's own rows (and bits) written, two steps (set, reset) per row",
        _V21,
    ),
    Quirk(
        "wu_sram_write_activity_unset",
        "sizes an SRAM sub-array's precharger and write driver writes with the column activity known when the "
        "sub-array is built (0), so an update's bit-line precharge and drive cost no energy",
        "the written bits' bit lines are precharged and driven on every written row",
        _V21,
    ),
    Quirk(
        "wu_sram_write_counts_scan_register",
        "adds to every SRAM sub-array's write its word-line scan register clocked for the forward read's column-mux "
        "steps: half a clock period and every register's clocking per muxed column",
        "an SRAM sub-array's write has no read scan-register clocking in it",
        _V21,
    ),
    Quirk(
        "wu_write_activity_over_block",
        "takes an SRAM sub-array's written rows (and cells per row) as a fraction of the rows (columns) its block of "
        "the weight matrix fills, and applies that fraction to the whole sub-array: a partly filled sub-array writes "
        "more rows than it holds",
        "the rows and cells the update writes",
        _V21,
    ),
    Quirk(
        "wu_sram_write_activity_unset",
        "sizes the forward SRAM precharger and write driver before any write activity is known (0), so the update's "
        "writes cost them no energy",
        "the bit lines of the written cells are recharged",
        _V21,
    ),
    Quirk(
        "wu_novel_tile_nominal_columns",
        "writes a novel-mapped tile's PEs at the tile's nominal width (min(PE size, the columns from its first)) "
        "though the tile holds an equal share of the layer's columns (columns // tiles): the PEs write sub-arrays past "
        "the share, reading undefined memory beyond its rows (the weight matrix's following columns stand in)",
        "the tile's PEs write the columns the tile holds",
        _V21,
    ),
    Quirk(
        "wu_htree_stale_buffer_lines",
        "times the first level of a tile's H-tree in an update's delta-weight transfer with a wire resistance of as "
        "many ohms per metre as the tile's input buffer was just written lines (delta-weight bits / its interface "
        "width): an uninitialised variable (v21_htree_stale_wire_resistance) left holding, in its build, the last "
        "argument of the buffer's energy call; the forward transfers find next to nothing there",
        "times the delta-weight transfer as every other transfer over the tree",
        _V21,
    ),
    Quirk(
        "ag_leakage_skips_sram_write_driver",
        "leaves the write driver an SRAM transposed read-out adds along the array out of its leakage (though its area "
        "counts, and the forward write driver's leakage too)",
        "the write driver leaks with the rest of the read-out",
        _V21,
    ),
    Quirk(
        "ag_sram_switch_forward_activity",
        "charges an SRAM transposed read-out's word-line switches at the row activity of the forward input bit-vector "
        "it is costed with (its sub-array computes both reads in one call)",
        "at the errors' bit activity (one half), the rows the errors drive",
        _V21,
    ),
    Quirk(
        "ag_sram_dff_forward_adder_width",
        "charges a sequential SRAM transposed read-out's registers at one bit per adder: it sizes them by the forward "
        "array's adder, which a parallel SRAM array never sets up",
        "the adder's sum and carry bits at every step",
        _V21,
    ),
    Quirk(
        "ag_mux_unfolded_row",
        "lays the transposed read-out's row mux out as the array's height times the length of all its pass gates in "
        "one unfolded row (or its decoder's width, if wider), and widens the sub-array by that length",
        "folds the pass gates into a strip along the array's height",
        _V21,
    ),
    Quirk(
        "ag_sram_periphery_unfolded_row",
        "lays an SRAM transposed read-out's precharger and write driver out as one row of their units across the "
        "array's height (one per row, the row's length at right angles to the array's edge) and widens the sub-array "
        "by that length, so the PE's adder trees, buffers and buses span the wider sub-array",
        "packs their units along the array's height: the sub-array grows by the height of their rows of units",
        _V21,
    ),
    Quirk(
        "ag_sequential_lines_per_row",
        "charges a sequential eNVM read-out's bit lines and driven line once per array row driven (rows x the "
        "errors' activity), though it drives the columns one by one (its switches and converters count columns)",
        "once per driven column: columns x the errors' activity",
        _V21,
    ),
)

_ALL = QUIRKS + TRAINING_QUIRKS
_NAMES = frozenset(q.name for q in _ALL)
_MODES = {mode: frozenset(q.name for q in _ALL if mode in q.modes) for mode in ChipCompat}


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
