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


def _reshape_rows(num_total: int, row: int, num_row: int, num_pe: int, stride: int) -> np.ndarray:
    idx = (row + stride * np.arange(num_pe)[:, None] + np.arange(num_row)[None, :]).ravel()
    return idx[idx < num_total]


def reshape_array(
    matrix: np.ndarray, row: int, col: int, num_row: int, num_col: int, num_pe: int, stride: int
) -> np.ndarray:
    """Novel-mapping tile block: for k < num_pe, rows row + k*stride + (0..num_row-1), columns col..col+num_col.

    NeuroSim quirk: `stride` is C_in (rows per kernel position), i.e. the rows are assumed kernel-position-major,
    while PyTorch traces are channel-major, so each PE gets a mix of channels and kernel positions.
    """
    return matrix[_reshape_rows(matrix.shape[0], row, num_row, num_pe, stride), col : col + num_col]


def reshape_input(inputs: np.ndarray, row: int, num_vectors: int, num_row: int, num_pe: int, stride: int) -> np.ndarray:
    """The input rows that match reshape_array, first num_vectors bit-vectors."""
    return inputs[_reshape_rows(inputs.shape[0], row, num_row, num_pe, stride), :num_vectors]
