"""The on-chip training hardware of a chip: back-propagation read-out, weight-gradient unit, DRAM and cell writes."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class DramType(str, Enum):
    HBM2 = "hbm2"
    GDDR5 = "gddr5"
    CUSTOM = "custom"  # bandwidth and energy per bit given


# (bandwidth in bit/s, energy in J/bit) of the off-chip memories NeuroSim V2.1 models
DRAM_PRESETS = {DramType.HBM2: (15.2e12, 3.9e-12), DramType.GDDR5: (4.288e12, 14e-12)}


class DramConfig(_Section):
    type: DramType = Field(DramType.HBM2, description="off-chip memory: hbm2, gddr5 or custom")
    bandwidth_bit_per_s: float | None = Field(None, gt=0, description="custom DRAM bandwidth, bit/s")
    energy_per_bit_j: float | None = Field(None, gt=0, description="custom DRAM access energy, J/bit")

    @model_validator(mode="after")
    def _custom_needs_both(self) -> DramConfig:
        given = self.bandwidth_bit_per_s is not None, self.energy_per_bit_j is not None
        if self.type is DramType.CUSTOM and not all(given):
            raise ValueError("dram.type=custom needs both bandwidth_bit_per_s and energy_per_bit_j")
        if self.type is not DramType.CUSTOM and any(given):
            raise ValueError(
                f"dram.type={self.type.value} has fixed bandwidth and energy; allowed: leave bandwidth_bit_per_s and "
                "energy_per_bit_j unset, or set type: custom to give your own"
            )
        return self

    @property
    def bandwidth_and_energy(self) -> tuple[float, float]:
        """(bandwidth in bit/s, energy per bit in J)."""
        if self.type is DramType.CUSTOM:
            assert self.bandwidth_bit_per_s is not None and self.energy_per_bit_j is not None
            return self.bandwidth_bit_per_s, self.energy_per_bit_j
        return DRAM_PRESETS[self.type]


class BackpropConfig(_Section):
    """Read-out of the transposed arrays in the activation-gradient pass (errors applied along the columns)."""

    parallel: bool = Field(
        True,
        description="read the transposed array with all rows in parallel (else row by row; row by row always under "
        "array.read_mode=sequential)",
    )
    adc_levels: int = Field(64, ge=2, le=4096, description="ADC levels of the activation-gradient read-out")
    rows_per_adc: int = Field(8, ge=1, description="rows sharing one activation-gradient ADC")
    error_bits: int = Field(8, ge=1, le=16, description="precision of the back-propagated errors, bits")


class WeightGradientConfig(_Section):
    """The SRAM compute-in-memory unit that multiplies activations with errors into weight gradients."""

    rows: int = Field(128, ge=8, description="rows of one weight-gradient SRAM sub-array")
    cols: int = Field(128, ge=8, description="columns of one weight-gradient SRAM sub-array")
    adc_levels: int = Field(16, ge=2, le=4096, description="ADC levels of the weight-gradient read-out")
    rows_per_adc: int = Field(8, ge=1, description="rows sharing one weight-gradient ADC")
    buffer_overhead_limit: float = Field(
        1.0, gt=0, description="extra gradient buffer allowed, as a multiple of the inference buffers"
    )


class WriteConfig(_Section):
    """Programming pulses of the weight update (the write voltage is the cell's)."""

    pulse_width_s: float = Field(50e-9, gt=0, le=1e-3, description="width of one write pulse, s")
    levels_ltp: int = Field(60, ge=2, le=4096, description="pulses across the full range when potentiating")
    levels_ltd: int = Field(60, ge=2, le=4096, description="pulses across the full range when depressing")
    fefet_polarization_c_per_m2: float = Field(
        0.2, gt=0, le=2.0, description="remanent polarization of FeFET cells, C/m^2 (20 uC/cm^2 = 0.2)"
    )
    fefet_gate_cap_f: float = Field(
        2.1717e-18, gt=0, le=1e-12, description="gate capacitance of one FeFET cell charged by a write, F"
    )


class TrainingHardwareConfig(_Section):
    """On-chip training: what one epoch costs on this chip (off: inference only)."""

    enabled: bool = Field(False, description="estimate the cost of on-chip training per epoch")
    batch_size: int = Field(200, ge=1, le=1_000_000, description="images per weight update")
    iterations_per_epoch: int = Field(250, ge=1, le=10_000_000, description="weight updates per epoch")
    backprop: BackpropConfig = BackpropConfig()
    weight_gradient: WeightGradientConfig = WeightGradientConfig()
    dram: DramConfig = DramConfig()
    write: WriteConfig = WriteConfig()

    @property
    def images_per_epoch(self) -> int:
        return self.batch_size * self.iterations_per_epoch
