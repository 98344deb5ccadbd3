"""Wires and interconnect: repeated wires, H-tree and buses."""
