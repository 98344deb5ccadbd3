"""The technology nodes neurocim models and their per-node SRAM cell and word-line repeater tables."""

from __future__ import annotations

NODES_NM = (130, 90, 65, 45, 32, 22, 14, 10, 7, 5, 3, 2, 1)
BULK_NODES_NM = (130, 90, 65, 45, 32, 22)  # planar bulk nodes: the only ones with an HP roadmap
V21_FINFET_NODES_NM = (14, 10, 7)  # NeuroSim V2.1's FinFET nodes (HP and LSTP)
WL_REPEATERS = {2: (3, 3.0), 1: (3, 3.0)}  # node -> (word-line repeaters per row, size)
# SRAM bit-cell footprint in feature sizes (height, width) per node; > 14 nm uses 10 x 28.
SRAM_CELL_F = {
    14: (10.6, 30.8),
    10: (12.8, 31.25),
    7: (16, 34.43),
    5: (19.2, 43.75),
    3: (30, 68.26),
    2: (42, 120),
    1: (80, 144),
}


V21_SRAM_CELL_F = (8.0, 20.0)  # NeuroSim V2.1's SRAM cell (sized with wider transistors)


def sram_cell_f(node_nm: int, neurosim_v21: bool = False) -> tuple[float, float]:
    """(height, width) in feature sizes of the node's 6T SRAM bit cell (10 x 28 at planar nodes; NeuroSim V2.1's
    own 8 x 20 cell when `neurosim_v21`)."""
    if neurosim_v21:
        return V21_SRAM_CELL_F
    return SRAM_CELL_F.get(node_nm, (10.0, 28.0))
