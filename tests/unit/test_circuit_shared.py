"""Helpers shared by several circuit models: layout fitting, C-style max, standard-cell sizing, TG packing, wires."""

import math
from functools import cache

import pytest

from neurocim.circuits.base import Footprint, Layout, fit_to_side, spread_over_width
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.column_units import pack_units
from neurocim.circuits.drivers.mux import tg_cell_height, tg_cell_width, tg_column_fit, tg_row_fold
from neurocim.circuits.drivers.precharger import Precharger
from neurocim.circuits.drivers.sram_write_driver import SRAMWriteDriver
from neurocim.circuits.gates.gates import cell_widths, enlarge_size
from neurocim.circuits.gates.gates_common import c_max
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive
from neurocim.tech.wires import barrier_corrected, resistance_per_metre


@cache
def make_ctx(node: int) -> CircuitContext:
    p = derive(ChipConfig.model_validate({"technology": {"node_nm": node}}))
    return CircuitContext.of(p)


def test_spread_over_width_keeps_area_and_names_the_block():
    assert spread_over_width("Comparator", 6.0, 2.0, Layout.NONE) == Footprint(6.0, 3.0, 2.0)
    with pytest.raises(ValueError, match=r"\[MaxPooling\] needs new_width"):
        spread_over_width("MaxPooling", 6.0, 0.0, Layout.NONE)
    with pytest.raises(ValueError, match=r"\[Comparator\] needs new_width with Layout.NONE"):
        spread_over_width("Comparator", 6.0, 2.0, Layout.MAGIC)


def test_fit_to_side_prefers_the_width_then_the_height():
    assert fit_to_side("SarAdc", 6.0, 3.0, 2.0, Layout.NONE) == Footprint(6.0, 3.0, 2.0)
    assert fit_to_side("SarAdc", 6.0, 4.0, 0.0, Layout.NONE) == Footprint(6.0, 4.0, 1.5)
    assert fit_to_side("SarAdc", 6.0, 1.0, 5.0, Layout.OVERRIDE) == Footprint(5.0, 1.0, 5.0)
    assert fit_to_side("SarAdc", 6.0, 4.0, 0.0, Layout.MAGIC) == Footprint(6.0, 4.0, 1.5)
    with pytest.raises(ValueError, match="FlashAdc.layout needs new_width or new_height"):
        fit_to_side("FlashAdc", 6.0, 0.0, 0.0, Layout.NONE)


def test_c_max_keeps_the_c_operand_order_with_nan():
    assert c_max(1.0, 2.0) == 2.0 and c_max(2.0, 1.0) == 2.0
    assert c_max(math.nan, 1.0) == 1.0  # `nan > 1` is false: the second operand wins
    assert math.isnan(c_max(1.0, math.nan))


@pytest.mark.parametrize("node", [130, 22, 7, 2])
def test_cell_widths_is_the_usual_enlarged_gate(node):
    tech = make_ctx(node).tech
    f, pn = tech.feature_size, tech.pn_size_ratio
    height = f * MAX_TRANSISTOR_HEIGHT
    assert cell_widths(tech) == enlarge_size(MIN_NMOS_SIZE * f, pn * MIN_NMOS_SIZE * f, height, tech)
    assert cell_widths(tech, 3) == enlarge_size(3 * MIN_NMOS_SIZE * f, pn * MIN_NMOS_SIZE * f, height, tech)
    assert cell_widths(tech, 1, 2) == enlarge_size(MIN_NMOS_SIZE * f, 2 * pn * MIN_NMOS_SIZE * f, height, tech)
    width_n, width_p = cell_widths(tech, 1, 0)
    assert width_p == 0.0 and width_n >= MIN_NMOS_SIZE * f


def test_tg_column_fit_fills_the_columns_evenly():
    tech = make_ctx(22).tech
    new_height = 3.5 * tg_cell_height(tech)  # three TGs per column at most
    num_cols, tg_height = tg_column_fit(new_height, 10, tech)
    assert num_cols == 4  # ceil(10 / 3)
    assert tg_height == pytest.approx(new_height / 3, rel=1e-15)  # ceil(10 / 4) = 3 TGs per column


def test_tg_row_fold_counts_rows_and_folds():
    tech = make_ctx(22).tech
    min_width = tg_cell_width(tech)
    num_rows, num_fold = tg_row_fold(7.5 * min_width, 20, 1, tech)
    assert num_rows == 3  # 7 per row, then ceil(20 / 3) = 7 per row
    assert num_fold == math.floor((7.5 / 7) / 0.5) - 1
    num_rows, num_fold = tg_row_fold(8.5 * min_width, 20, 2, tech)  # pairs: 4 per row
    assert num_rows == 5 and num_fold == math.floor((8.5 / 4 / 2) / 0.5) - 1


def test_column_units_pack_into_rows_of_the_given_width():
    ctx = make_ctx(22)
    for unit in (Precharger(ctx, 64, 100.0, 8), SRAMWriteDriver(ctx, 64)):
        natural = unit.layout()
        assert natural.height == unit.unit_height and natural.width == pytest.approx(64 * unit.unit_width)
        width = 10.5 * unit.unit_width
        packed = unit.layout(0.0, width)
        assert (packed.height, packed.width) == pack_units(64, unit.unit_height, unit.unit_width, width)
        assert packed.height == pytest.approx(7 * unit.unit_height)  # 10 per row -> 7 rows
    assert pack_units(4, 1.0, 2.0, 1.0) == (4.0, 2.0)  # narrower than one unit: one per row, overhanging


def test_wire_resistance_closed_form():
    rho, width_nm, ar, barrier = 2.0e-8, 40.0, 2.0, 2.5e-9
    corrected = barrier_corrected(rho, width_nm, ar, barrier)
    assert corrected == pytest.approx(rho / (1 - 3 * width_nm * barrier / (ar * width_nm * width_nm)), rel=1e-15)
    assert 1.0 < corrected / rho < 1.0 + 1e-9  # nm against m: the correction is ~1, as in NeuroSim
    assert resistance_per_metre(rho, width_nm, ar) == pytest.approx(rho / (40e-9 * 40e-9 * 2.0), rel=1e-12)
