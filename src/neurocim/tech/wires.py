"""Back-end-of-line wires per node: widths, aspect ratio, resistivity and resistance per metre."""

from __future__ import annotations

from dataclasses import dataclass

# Node -> (M0 width, M1 width, general wire width) in nm, and Cu barrier thickness in m (NeuroSim V1.4 Param.cpp).
_WIDTHS_NM = {
    130: (175, 175, 175),
    90: (110, 110, 110),
    65: (105, 105, 105),
    45: (80, 80, 80),
    32: (56, 56, 56),
    22: (40, 40, 40),
    14: (32, 39, 32),
    10: (22, 32, 22),
    7: (20, 28.5, 20),
    5: (15, 17, 15),
    3: (12, 16, 12),
    2: (10, 11.5, 10),
    1: (8, 10, 8),
}
_BARRIER_M = {
    130: 10e-9,
    90: 10e-9,
    65: 7e-9,
    45: 5e-9,
    32: 4e-9,
    22: 2.5e-9,
    14: 2.5e-9,
    10: 2e-9,
    7: 2e-9,
    5: 2e-9,
    3: 1.5e-9,
    2: 0.5e-9,
    1: 0.2e-9,
}
# (min width nm, aspect ratio, bulk resistivity in 1e-8 ohm*m), widest first (ITRS/IRDS tables).
_AR_RHO = [
    (175, 1.6, 2.01),
    (110, 1.6, 2.20),
    (105, 1.7, 2.21),
    (80, 1.7, 2.37),
    (56, 1.8, 2.63),
    (40, 1.9, 2.97),
    (32, 2.0, 3.25),
    (22, 2.0, 3.95),
    (20, 2.0, 4.17),
    (15, 2.0, 4.98),
    (12, 2.0, 5.8),
    (10, 2.0, 6.61),
    (8, 3.0, 7.87),
]
RESISTIVITY_TEMP_COEFF = 0.00451  # relative rise of Cu resistivity per K above 300 K


def barrier_corrected(rho: float, width_nm: float, ar: float, barrier: float) -> float:
    """Bulk resistivity (ohm*m) raised for the Cu barrier as NeuroSim evaluates it: the width is in nm and the
    barrier thickness in m, so the correction is numerically ~1."""
    return rho / (1 - (2 * ar * width_nm + width_nm) * barrier / (ar * width_nm**2))


def resistance_per_metre(rho: float, width_nm: float, ar: float) -> float:
    """Resistance per metre of a wire of the given width and aspect ratio (same float order as NeuroSim)."""
    return rho / (width_nm * 1e-9 * width_nm * 1e-9 * ar)


def _aspect_and_resistivity(width_nm: float, barrier: float) -> tuple[float, float]:
    for min_width, ar, rho_e8 in _AR_RHO:
        if width_nm >= min_width:
            return ar, barrier_corrected(rho_e8 * 1e-8, width_nm, ar, barrier)
    raise ValueError(f"wire width {width_nm} nm is below the smallest characterised width (8 nm)")


@dataclass(frozen=True)
class WireStack:
    """Resistances per metre of the local metal layers of one node."""

    wire_width_nm: float
    metal0_nm: float
    metal1_nm: float
    aspect_ratio: float
    resistivity: float  # ohm*m, general wire, temperature-corrected
    unit_resistance: float  # ohm/m, general wire (NeuroSim unitLengthWireResistance)
    metal0_unit_resistance: float  # ohm/m, metal 0
    metal1_unit_resistance: float  # ohm/m, metal 1


def wire_stack(node_nm: int, temperature_k: float = 300) -> WireStack:
    """Wire geometry and resistance per metre for a technology node."""
    if node_nm not in _WIDTHS_NM:
        raise ValueError(f"technology node {node_nm} nm has no wire data; allowed: {sorted(_WIDTHS_NM)}")
    m0, m1, w = _WIDTHS_NM[node_nm]
    barrier = _BARRIER_M[node_nm]
    ar, rho = _aspect_and_resistivity(w, barrier)
    ar0, rho0 = _aspect_and_resistivity(m0, barrier)
    ar1, rho1 = _aspect_and_resistivity(m1, barrier)
    rho *= 1 + RESISTIVITY_TEMP_COEFF * abs(temperature_k - 300)
    return WireStack(
        wire_width_nm=w,
        metal0_nm=m0,
        metal1_nm=m1,
        aspect_ratio=ar,
        resistivity=rho,
        unit_resistance=resistance_per_metre(rho, w, ar),
        metal0_unit_resistance=resistance_per_metre(rho0, m0, ar0),
        metal1_unit_resistance=resistance_per_metre(rho1, m1, ar1),
    )


# NeuroSim V2.1: one wire width per node (its featuresize) and the aspect ratio and bulk resistivity of that width;
# no barrier correction, and every metal layer is that wire.
V21_WIRE_WIDTH_NM = {130: 200, 90: 200, 65: 100, 45: 50, 32: 40, 22: 32, 14: 22, 10: 14, 7: 14}
V21_WIRE_AR_RHO = {
    200: (2.10, 2.42e-8),
    100: (2.30, 2.73e-8),
    50: (2.34, 3.91e-8),
    40: (1.90, 4.03e-8),
    32: (1.90, 4.51e-8),
    22: (2.00, 5.41e-8),
    14: (2.10, 7.43e-8),
}


def v21_wire_stack(node_nm: int, temperature_k: float = 300) -> WireStack:
    """The wires of a node as NeuroSim V2.1 sets them (one width per node, resistivity raised by |T - 300 K|)."""
    if node_nm not in V21_WIRE_WIDTH_NM:
        raise ValueError(f"technology node {node_nm} nm has no V2.1 wire data; allowed: {sorted(V21_WIRE_WIDTH_NM)}")
    width = V21_WIRE_WIDTH_NM[node_nm]
    ar, rho = V21_WIRE_AR_RHO[width]
    rho *= 1 + RESISTIVITY_TEMP_COEFF * abs(temperature_k - 300)
    unit = resistance_per_metre(rho, width, ar)
    return WireStack(width, width, width, ar, rho, unit, unit, unit)
