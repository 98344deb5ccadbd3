"""Plausible chips outside the reference cases: each is refused at load with its field or estimated sanely."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from pydantic import ValidationError

from neurocim.config.chip import ChipConfig
from neurocim.config.io import ConfigError
from neurocim.estimate import estimate, estimate_from_files
from neurocim.report.records import AreaBreakdown, Breakdown, ChipReport, LayerReport, Report, check_report
from neurocim.workload.network import Layer
from neurocim.workload.traces import LayerTrace

LAYERS = [
    Layer(ifm_h=6, ifm_w=6, in_channels=3, kernel_h=3, kernel_w=3, out_channels=8, pooled=True, name="conv"),
    Layer(ifm_h=1, ifm_w=1, in_channels=32, kernel_h=1, kernel_w=1, out_channels=10, name="fc"),
]
WIDE = [  # 32 outputs: 288 columns of 9-bit weights in 1-bit cells
    Layer(ifm_h=6, ifm_w=6, in_channels=3, kernel_h=3, kernel_w=3, out_channels=32, pooled=True, name="conv"),
    Layer(ifm_h=1, ifm_w=1, in_channels=128, kernel_h=1, kernel_w=1, out_channels=10, name="fc"),
]


def _traces(layers: list[Layer], input_bits: int) -> list[LayerTrace]:
    rng = np.random.default_rng(0)
    return [
        LayerTrace(
            rng.uniform(-1, 1, (ly.rows, ly.out_channels)),
            rng.integers(0, 1 << input_bits, (ly.rows, ly.num_windows)),
            input_bits,
            name=ly.name,
        )
        for ly in layers
    ]


def _estimate(tree: dict, layers: list[Layer] = LAYERS) -> Report:
    """Estimate `tree` and check what every estimate must give: finite, positive, a sub-millisecond clock."""
    chip = ChipConfig.model_validate(tree)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = estimate(chip, layers, _traces(layers, chip.precision.input_bits))
    report.to_dict()  # every number finite and non-negative
    c = report.chip
    assert c.area_m2 > 0 and c.dynamic_energy_j > 0 and 0 < c.latency_s < 1e-2
    assert c.clock_period_s < 1e-6
    assert c.leakage_power_w > 0 and all(math.isfinite(ly.leakage_power_w) for ly in report.layers)
    return report


def _refused(tree: dict, *words: str) -> str:
    with pytest.raises(ValidationError) as info:
        ChipConfig.model_validate(tree)
    message = str(info.value)
    for word in words:
        assert word in message
    return message


RRAM = {"technology": {"node_nm": 22}, "cell": {"type": "rram", "bits_per_cell": 1}}
SRAM14 = {"technology": {"node_nm": 14}, "cell": {"type": "sram"}}


def test_word_line_repeaters_without_a_size_are_refused():
    _refused({**RRAM, "sizing": {"wl_repeaters": 1}}, "sizing.wl_repeaters=1", "wl_repeater_size > 0", "allowed")
    _refused({**RRAM, "sizing": {"wl_repeaters": 2, "wl_repeater_size": 0.0}}, "sizing.wl_repeaters=2")
    with_size = _estimate({**RRAM, "sizing": {"wl_repeaters": 1, "wl_repeater_size": 1.0}})
    assert with_size.chip.clock_period_s != _estimate(RRAM).chip.clock_period_s
    _estimate({"technology": {"node_nm": 2}, "cell": {"type": "sram"}, "sizing": {"wl_repeaters": 1}})  # node size


@pytest.mark.parametrize("node", [14, 7, 2])
@pytest.mark.parametrize("synchronous", [True, False])
def test_one_parallel_row_at_finfet_nodes(node, synchronous):
    _estimate({"technology": {"node_nm": node}, "cell": {"type": "sram"}, "array": {"parallel_rows": 1},
               "clock": {"synchronous": synchronous}})  # fmt: skip


def test_one_parallel_row_of_envm_has_a_finite_asynchronous_bit_line_delay():
    one = _estimate({**RRAM, "array": {"parallel_rows": 1}, "clock": {"synchronous": False}})
    two = _estimate({**RRAM, "array": {"parallel_rows": 2}, "clock": {"synchronous": False}})
    assert one.chip.latency_s > two.chip.latency_s  # half the rows, twice the rounds


@pytest.mark.parametrize("cell", [RRAM["cell"], {"type": "sram"}, {"type": "fefet", "access": "none"}])
def test_an_adc_for_all_columns(cell):
    _estimate({"technology": {"node_nm": 22}, "cell": cell, "array": {"rows": 64, "cols": 64, "cols_per_adc": 64}})


def test_more_columns_per_adc_than_columns_are_refused():
    _refused({"array": {"cols": 16, "cols_per_adc": 32}}, "array.cols_per_adc=32", "allowed 1..16")


def test_a_weight_wider_than_the_sub_array_is_refused():
    _refused({**RRAM, "array": {"cols": 8}, "precision": {"weight_bits": 9}}, "precision.weight_bits=9", "array.cols")


@pytest.mark.parametrize("rows, cols", [(16, 128), (16, 16)])
def test_nine_bit_rram_weights_on_short_arrays(rows, cols):
    _estimate({**RRAM, "precision": {"weight_bits": 9}, "array": {"rows": rows, "cols": cols, "cols_per_adc": 4},
               "adc": {"bits": 2}}, WIDE)  # fmt: skip


@pytest.mark.parametrize("read_mode", ["parallel", "sequential"])
@pytest.mark.parametrize("cell", [{"type": "rram", "access": "none"}, {"type": "sram"}, {"type": "fefet"}])
def test_sixteen_and_eight_column_crossbars(read_mode, cell):
    """Periphery units wider than the array's columns (DFF, adders, prechargers) overhang it."""
    for cols in (16, 8):
        tree = {"cell": {**cell, "width_f": 2.0} if cell["type"] != "sram" else cell,
                "array": {"rows": cols, "cols": cols, "read_mode": read_mode, "cols_per_adc": 4},
                "adc": {"sense_mode": "voltage"}, "precision": {"weight_bits": 4}}  # fmt: skip
        if cell.get("access", "cmos") == "cmos" and cell["type"] != "sram":
            tree["cell"]["width_f"] = 12.0
        _estimate(tree)


@pytest.mark.parametrize(
    "cell, lut, place",
    [
        (RRAM["cell"], "sram", "chip"),
        ({"type": "fefet"}, "sram", "tile"),
        ({"type": "rram", "access": "none"}, "sram", "tile"),
        ({"type": "sram"}, "rram", "chip"),
        ({"type": "sram"}, "rram", "tile"),
    ],
)
def test_sigmoid_tables_unlike_the_arrays(cell, lut, place):
    """An SRAM table next to eNVM arrays (or the other way round) senses in finite time and leaks a finite power."""
    relu = _estimate({"technology": {"node_nm": 22}, "cell": cell, "activation": {"place": place}})
    sigmoid = _estimate({"technology": {"node_nm": 22}, "cell": cell,
                         "activation": {"place": place, "function": "sigmoid", "sigmoid_lut": lut}})  # fmt: skip
    assert sigmoid.chip.area_m2 != relu.chip.area_m2


def test_two_level_current_sense_adcs_are_refused_by_the_cost_model():
    """The accuracy half simulates them (ADC-precision sweeps); the cost model refuses them, naming the fields."""
    seq = {**RRAM, "array": {"read_mode": "sequential"}}
    with pytest.raises(ConfigError, match=r"array.read_mode=sequential with cell.bits_per_cell=1.*sense_mode=voltage"):
        _estimate(seq)
    with pytest.raises(ConfigError, match=r"adc.bits=1 with a current-sense flash ADC.*allowed"):
        _estimate({**RRAM, "adc": {"bits": 1}})
    report = _estimate({**seq, "adc": {"sense_mode": "voltage"}})
    assert report.chip.clock_period_s < 1e-8  # the case gave a 2.3e8 s clock
    _estimate({**seq, "cell": {"type": "rram", "bits_per_cell": 2}})
    _estimate({"cell": {"type": "sram"}, "array": {"read_mode": "sequential"}})  # SRAM senses with a plain amp
    _estimate({**RRAM, "adc": {"bits": 1, "sense_mode": "voltage"}})


@pytest.mark.parametrize("access", ["bjt", "diode"])
def test_unmodelled_access_devices_are_refused(access):
    _refused({"cell": {"type": "rram", "access": access}}, f"cell.access={access}", "allowed: cmos, none")


def test_sram_cells_below_the_node_bit_cell_are_refused():
    _refused({**SRAM14, "cell": {"type": "sram", "width_f": 12.0}}, "cell.width_f=12.0", ">= 30.8")
    _estimate({**SRAM14, "cell": {"type": "sram", "height_f": 12.0, "width_f": 40.0}})
    _refused({"technology": {"node_nm": 65}, "cell": {"type": "sram", "width_f": 2.0}}, "cell.width_f=2.0", ">= 28")
    _estimate({"technology": {"node_nm": 65}, "cell": {"type": "sram", "height_f": 12.0, "width_f": 30.0}})


def test_an_access_transistor_wider_than_the_cell_names_the_fields():
    with pytest.raises(ConfigError, match=r"cell.width_f=12.0: .*cell.r_on_ohm=2000.*allowed: cell.width_f >= 34"):
        _estimate({**RRAM, "cell": {"type": "rram", "r_on_ohm": 2e3}})


def test_adc_serving_more_columns_than_a_pe_has():
    """Pooling units and tile buffers exist even when size / cols_per_adc truncates to zero."""
    _estimate({**RRAM, "array": {"rows": 8, "cols": 512, "cols_per_adc": 378}, "adc": {"sense_mode": "voltage"}})
    _estimate({**RRAM, "array": {"rows": 8, "cols": 512, "cols_per_adc": 378}, "adc": {"sense_mode": "voltage"},
               "interconnect": {"global_bus": "htree", "sync_data_transfer": True}})  # fmt: skip


def test_short_arrays_at_gaa_nodes_overhang_their_drivers():
    _estimate({"technology": {"node_nm": 1}, "cell": {"type": "sram"}, "array": {"rows": 8, "cols": 8}})
    crossbar = {"type": "rram", "access": "none", "height_f": 2.0}
    _estimate({**RRAM, "cell": crossbar, "technology": {"node_nm": 130}, "adc": {"sense_mode": "voltage"},
               "array": {"rows": 9, "cols": 16, "read_mode": "sequential"}})  # fmt: skip


def test_a_non_finite_record_names_the_layer_and_quantity():
    zero = Breakdown()
    chip = ChipReport(1.0, AreaBreakdown(1, 1, 1, 1, 1), 1e-9, 1.0, zero, 1.0, zero, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    layer = LayerReport(1, 1, 1, 0.5, math.inf, 1.0, 1.0, 1.0, zero, zero, name="conv")
    with pytest.raises(ArithmeticError, match=r"layer 1 \(conv\)\.latency_s is inf"):
        check_report(Report(chip, [layer]))
    leaky = LayerReport(2, 1, 1, 0.5, 1.0, 1.0, math.nan, 1.0, zero, zero)
    with pytest.raises(ArithmeticError, match=r"layer 2\.leakage_power_w is nan"):
        check_report(Report(chip, [leaky]))
    with pytest.raises(ArithmeticError, match=r"chip\.energy_breakdown_j\.adc is negative"):
        check_report(Report(ChipReport(**{**chip.__dict__, "energy_breakdown_j": Breakdown(adc=-1.0)}), []))
    nested = LayerReport(3, 1, 1, 0.5, 1.0, 1.0, 1.0, 1.0, zero, Breakdown(other=float(np.float64("nan"))))
    with pytest.raises(ArithmeticError, match=r"layer 3\.energy_breakdown_j\.other is nan"):
        check_report(Report(chip, [nested]))
    numpy_nan = LayerReport(4, 1, 1, 0.5, np.float64("nan"), 1.0, 1.0, 1.0, zero, zero)
    with pytest.raises(ArithmeticError, match=r"layer 4\.latency_s is nan"):
        check_report(Report(chip, [numpy_nan]))
    assert check_report(Report(chip, [LayerReport(5, 1, 1, 0.5, 1.0, 1.0, 1.0, 1.0, zero, zero)])).chip is chip


def test_utilisation_of_non_power_of_two_sub_arrays_stays_below_one():
    report = _estimate({**RRAM, "array": {"rows": 31, "cols": 31, "cols_per_adc": 4, "read_mode": "sequential"},
                        "adc": {"sense_mode": "voltage"},
                        "mapping": "conventional", "pipeline": {"enabled": False}})  # fmt: skip
    assert all(ly.utilization <= 1 for ly in report.layers)


def test_neurosim_floorplan_quirk_reproduces_its_partial_sub_arrays():
    """31-row sub-arrays, a first layer of 27 rows x 64 columns, tiles of 128 and PEs of 64 cells: a PE is built of
    3 x 3 sub-arrays (93 x 93 cells) and holds 3 copies of the layer's rows, so a tile holds 2 x 2 PEs x 3 = 12
    copies. NeuroSim counts the tile as 128 x 128 cells (utilisation 1.27), the faithful floorplan as the
    4 x 93 x 93 cells of its PEs."""
    chip = {**RRAM, "array": {"rows": 31, "cols": 31, "cols_per_adc": 4, "read_mode": "sequential"},
            "adc": {"sense_mode": "voltage"}, "mapping": "conventional", "pipeline": {"enabled": False}}  # fmt: skip
    neurosim, faithful = _estimate({**chip, "compat": "neurosim_v14"}), _estimate(chip)
    for report in (neurosim, faithful):
        assert (report.floorplan["tile_size_cm"], report.floorplan["pe_size_cm"]) == (128, 64)
    assert neurosim.layers[0].utilization == pytest.approx(12 * 27 * 64 / 128**2)
    assert faithful.layers[0].utilization == pytest.approx(12 * 27 * 64 / (4 * 93 * 93))
    assert all(0 < ly.utilization <= 1 for ly in faithful.layers) and 0 < faithful.chip.memory_utilization <= 1
    # the quirk counts cells: alone off, the chip's numbers stay NeuroSim's
    off = _estimate({**chip, "compat": "neurosim_v14", "quirks": {"floorplan_partial_sub_arrays": False}})
    assert off.layers[0].utilization == faithful.layers[0].utilization
    assert (off.chip.latency_s, off.chip.dynamic_energy_j) == (neurosim.chip.latency_s, neurosim.chip.dynamic_energy_j)


@pytest.mark.parametrize("given", [{}, {"config": "chip.yaml", "neurosim_params": "params.json"}])
def test_estimate_from_files_takes_exactly_one_chip_source(given):
    # neither: it used to reach Path(None); both: it used to ignore the YAML config silently
    with pytest.raises(ConfigError, match="exactly one of config"):
        estimate_from_files(network=None, traces="traces.npz", **given)
