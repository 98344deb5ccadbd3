"""NeuroSim V2.1's split of a weight over several cells (quirk v21_weight_digits_quotient), in the forward read too."""

from __future__ import annotations

import numpy as np
import pytest

from neurocim.arch.subarray.column_model import ColumnModel, effective_conductance
from neurocim.config.chip import CellType
from neurocim.mapping.cells import cells_to_conductance, levels_to_cells, levels_to_quotient_cells


def test_quotient_cells_of_five_bit_weights_on_two_bit_cells():
    """Level 31 over 3 cells of 2 bits: running quotients 31>>6 = 0, 31>>4 = 1, 31>>2 = 7, stepped by // 3 to 0, 0, 2
    (digits 0, 0, 6); the faithful split keeps the remainders 1, 3, 3."""
    levels = np.array([[31, 12, 32, 0]])
    quotient = levels_to_quotient_cells(levels, 2, 3)
    assert quotient.dtype == np.int16
    assert quotient.tolist() == [[0, 0, 6, 0, 0, 3, 0, 0, 6, 0, 0, 0]]
    assert levels_to_cells(np.array([[31]]), 2, 3).tolist() == [[1, 3, 3]]
    g = cells_to_conductance(quotient, 2, g_max=1e-5, g_min=1e-7)
    assert g[0, 2] == pytest.approx(1e-7 + 2 * (1e-5 - 1e-7))  # past G_max, as V2.1 reads it
    with pytest.raises(ValueError, match="non-negative"):
        levels_to_quotient_cells(np.array([[-1]]), 2, 3)


def test_one_bit_quotient_cells_read_their_own_levels():
    """One-bit cells under the quotient split can hold steps above 1: the column read takes their levels (int16) as
    they are instead of the 0/1 a one-bit cell's byte digit holds."""
    cells = levels_to_quotient_cells(np.array([[5, 2]]), 1, 3)  # 5 -> 0, 1, 2; 2 -> 0, 0, 1
    assert cells.tolist() == [[0, 1, 2, 0, 0, 1]]
    model = ColumnModel(
        cell_type=CellType.RRAM, access_cmos=False, parallel_read=True, sub_array_rows=1, num_add=1,
        wire_res_row=0.0, wire_res_col=0.0, res_access=0.0, res_cell_access=0.0, cell_bits=1, g_max=1e-5, g_min=1e-7,
    )  # fmt: skip
    g = effective_conductance(cells, model)
    assert float(np.max(g)) == pytest.approx(1e-7 + 2 * (1e-5 - 1e-7), rel=1e-6)
