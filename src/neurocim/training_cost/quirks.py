"""Names of NeuroSim V2.1's training-cost behaviours (registered in compat/quirks.py) and how the units ask."""

from __future__ import annotations

from neurocim.config.derived import Derived

ADC_EVERY_COLUMN = "wg_adc_converts_every_column"
WRITE_ACTIVITY_UNSET = "wg_write_activity_unset"
ACCUMULATION_FORWARD_MUX = "wg_accumulation_reads_forward_mux"
ARRAYS_FLOOR = "wg_arrays_floor"
WRITE_SELECT_READ_COUNT = "wg_write_select_read_count"
SPEED_UP_IGNORES_CAPACITY = "wg_speed_up_ignores_capacity"
SENSE_AMP_ENABLE_CLOCK = "wg_sense_amp_enable_clock"
AG_FORWARD_COLUMNS = "ag_reads_forward_columns"
AG_MUX_ENERGY_AS_LATENCY = "ag_mux_energy_as_latency"
AG_SWITCH_IR_DROP = "ag_switch_timed_at_ir_drop_resistance"
AG_LEAKAGE_FORWARD_SWITCH = "ag_leakage_counts_forward_switch"
AG_MUX_UNFOLDED_ROW = "ag_mux_unfolded_row"
AG_SRAM_PERIPHERY_UNFOLDED = "ag_sram_periphery_unfolded_row"
AG_SEQUENTIAL_LINES_PER_ROW = "ag_sequential_lines_per_row"
AG_LEAKAGE_SKIPS_FIRST_LAYER = "ag_leakage_skips_first_layer"
AG_LEAKAGE_NO_WRITE_DRIVER = "ag_leakage_skips_sram_write_driver"
AG_SWITCH_FORWARD_ACTIVITY = "ag_sram_switch_forward_activity"
AG_SRAM_DFF_FORWARD_ADDER = "ag_sram_dff_forward_adder_width"
WRITE_SCAN_REGISTERS = "wu_write_energy_counts_scan_registers"
WRITE_SCAN_REGISTER_SRAM = "wu_sram_write_counts_scan_register"
WRITE_ACTIVITY_BLOCK = "wu_write_activity_over_block"
SRAM_WRITE_ACTIVITY_UNSET = "wu_sram_write_activity_unset"
WRITE_VOLTAGE_RSS = "wu_write_voltage_root_sum_square"
COLUMN_SWITCH_PULSES_UNSET = "wu_column_switch_pulses_unset"
WRITE_ROWS_FULL_ARRAY = "wu_write_rows_full_array"
LEAKAGE_IDLE_TILES_ONLY = "v21_leakage_idle_tiles_only"
ADC_BREAKDOWN_WITH_FORWARD = "v21_breakdown_adc_slowest_both_reads"
WRITE_NOMINAL_COLUMNS = "wu_novel_tile_nominal_columns"
UPDATE_HTREE_BUFFER_LINES = "wu_htree_stale_buffer_lines"


def has_quirk(p: Derived, name: str) -> bool:
    """Whether the training quirk `name` is reproduced (switched on through the chip's compat or quirks)."""
    return p.quirk(name)
