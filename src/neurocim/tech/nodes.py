"""The technology nodes neurocim models: one table, read by the configuration and the technology data."""

from __future__ import annotations

NODES_NM = (130, 90, 65, 45, 32, 22, 14, 10, 7, 5, 3, 2, 1)
BULK_NODES_NM = (130, 90, 65, 45, 32, 22)  # planar bulk nodes: the only ones with an HP roadmap
