"""Blocks of a layer's cells and input bits that tile, PE and sub-array read (NeuroSim's CopyArray, ReshapeArray)."""

from __future__ import annotations

import numpy as np

# Out-of-range reads are undefined behaviour in the original; here a block simply ends at the matrix edge.


def copy_array(matrix: np.ndarray, row: int, col: int, num_row: int, num_col: int) -> np.ndarray:
    """The num_row x num_col block of `matrix` at (row, col), as a view."""
    return matrix[row : row + num_row, col : col + num_col]


def copy_input(inputs: np.ndarray, row: int, num_vectors: int, num_row: int) -> np.ndarray:
    """Rows row..row+num_row of the input bit matrix, first num_vectors bit-vectors (columns), as a view."""
    return inputs[row : row + num_row, :num_vectors]


# The PE- and sub-array-level copies are the same operation.
copy_pe_array = copy_sub_array = copy_array
copy_pe_input = copy_sub_input = copy_input


def _reshape_rows(num_total: int, row: int, num_row: int, num_pe: int, stride: int, positions: int) -> np.ndarray:
    pe, within = np.arange(num_pe)[:, None], np.arange(num_row)[None, :]
    # channel-major rows (c * positions + k): PE k takes channels row.. of kernel position k
    idx = ((row + within) * positions + pe if positions else row + stride * pe + within).ravel()
    return idx[idx < num_total]


def reshape_array(
    matrix: np.ndarray, row: int, col: int, num_row: int, num_col: int, num_pe: int, stride: int, positions: int = 0
) -> np.ndarray:
    """Novel-mapping tile block, columns col..col+num_col: for PE k < num_pe, kernel position k of the channels
    row..row+num_row-1, that is the rows (row + i) * positions + k of the channel-major matrix.

    With positions = 0, NeuroSim's reading (quirk `novel_rows_position_major`): rows row + k*stride + (0..num_row-1),
    as if the matrix were kernel-position-major (stride = C_in); traces are channel-major, so each PE then gets a mix
    of channels and kernel positions.
    """
    rows = _reshape_rows(matrix.shape[0], row, num_row, num_pe, stride, positions)
    return matrix[rows, col : col + num_col]


def reshape_input(
    inputs: np.ndarray, row: int, num_vectors: int, num_row: int, num_pe: int, stride: int, positions: int = 0
) -> np.ndarray:
    """The input rows that match reshape_array, first num_vectors bit-vectors."""
    return inputs[_reshape_rows(inputs.shape[0], row, num_row, num_pe, stride, positions), :num_vectors]
