"""Device and gate primitives of the cost model: capacitance, area, leakage, resistance and delay."""
