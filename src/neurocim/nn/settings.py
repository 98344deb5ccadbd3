"""One layer's resolved settings: hardware values read from ChipConfig, accuracy values from AccuracyConfig."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from neurocim.config.accuracy import AccuracyConfig, AdcRangeMode, CompatMode, QuantScheme
from neurocim.config.chip import CellType, ChipConfig, MappingType
from neurocim.quant.codes import num_slices

_MAX_DENOMINATOR = 1000  # on/off ratios are represented as p/q with q <= this (exact for decimals like 17.5)


@dataclass(frozen=True)
class Lattice:
    """Ideal cell conductances as integers, in units of G_top / (2p (2^c - 1)) where on/off = p/q.

    Normalised conductance of digit d (NeuroSim): g = (1 - 1/r) d + (2^c - 1)/r, top state 2^c - 1.
    In lattice units: main cell 2(p-q) d + 2q(2^c-1), reference (dummy) cell (p+q)(2^c-1), and
    main - reference = (p-q)(2d - (2^c-1)), so dividing by p-q gives the signed digit exactly.
    """

    p: int
    q: int
    bits_per_cell: int

    @property
    def top_digit(self) -> int:
        return 2**self.bits_per_cell - 1

    @property
    def slope(self) -> int:  # lattice units per digit step
        return 2 * (self.p - self.q)

    @property
    def offset(self) -> int:  # lattice value of digit 0 (G_min)
        return 2 * self.q * self.top_digit

    @property
    def reference(self) -> int:  # lattice value of the mid-conductance reference cell
        return (self.p + self.q) * self.top_digit

    @property
    def gain(self) -> int:  # divides main - reference back to 2d - (2^c - 1)
        return self.p - self.q

    @property
    def grid(self) -> int:  # every ideal read is a multiple of this
        return math.gcd(self.slope, self.offset, self.reference)

    @property
    def per_normalised(self) -> int:  # lattice units per unit of normalised conductance
        return 2 * self.p


def lattice_for(on_off_ratio: float, bits_per_cell: int) -> Lattice:
    """The lattice of a finite (or infinite) on/off ratio; error unless it is > 1."""
    if not (on_off_ratio > 1):  # also catches NaN
        raise ValueError(f"cell.on_off_ratio={on_off_ratio} must be > 1 (R_off / R_on)")
    if math.isinf(on_off_ratio):
        return Lattice(1, 0, bits_per_cell)
    ratio = Fraction(on_off_ratio).limit_denominator(_MAX_DENOMINATOR)
    return Lattice(ratio.numerator, ratio.denominator, bits_per_cell)


@dataclass(frozen=True)
class LayerSettings:
    """Everything a CIM layer needs, resolved and validated once."""

    weight_bits: int
    input_bits: int
    bits_per_cell: int
    slices: int
    sub_array_rows: int
    parallel_rows: int
    adc_bits: int
    on_off_ratio: float
    lattice: Lattice
    mapping: MappingType
    compat: CompatMode
    scheme: QuantScheme
    adc_mode: AdcRangeMode
    bits_per_cycle: int
    accuracy: AccuracyConfig

    @property
    def neurosim(self) -> bool:
        return self.compat is CompatMode.NEUROSIM_V14

    @property
    def group_size(self) -> int:
        """Rows summed by one ADC conversion (NeuroSim: parallelRead when below subArray)."""
        return self.parallel_rows


def resolve_settings(chip: ChipConfig, accuracy: AccuracyConfig) -> LayerSettings:
    """Read the shared hardware settings from `chip` and check them against `accuracy`."""
    p, cell = chip.precision, chip.cell
    compat = accuracy.compat
    slices = num_slices(p.weight_bits, cell.bits_per_cell, allow_truncation=compat is CompatMode.NEUROSIM_V14)
    parallel = chip.array.rows_in_parallel
    if parallel > chip.array.rows:
        raise ValueError(
            f"array.parallel_rows={parallel} exceeds array.rows={chip.array.rows}; allowed 1..{chip.array.rows}"
        )
    if accuracy.input.bits_per_cycle > p.input_bits:
        raise ValueError(
            f"input.bits_per_cycle={accuracy.input.bits_per_cycle} exceeds precision.input_bits={p.input_bits}; "
            f"allowed 1..{p.input_bits}"
        )
    ratio = math.inf if cell.type is CellType.SRAM else float(cell.on_off_ratio)
    return LayerSettings(
        weight_bits=p.weight_bits,
        input_bits=p.input_bits,
        bits_per_cell=cell.bits_per_cell,
        slices=slices,
        sub_array_rows=chip.array.rows,
        parallel_rows=parallel,
        adc_bits=chip.adc.bits,
        on_off_ratio=ratio,
        lattice=lattice_for(ratio, cell.bits_per_cell),
        mapping=chip.mapping,
        compat=compat,
        scheme=accuracy.scheme,
        adc_mode=accuracy.adc_range_mode,
        bits_per_cycle=accuracy.input.bits_per_cycle,
        accuracy=accuracy,
    )
