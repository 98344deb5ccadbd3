"""Accuracy-only settings (quantization, ADC range, non-idealities, seeds); hardware values live in ChipConfig."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Section(BaseModel):
    """Base for accuracy sections: unknown keys are errors, values are re-validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class CompatMode(str, Enum):
    NONE = "none"  # physically faithful defaults (see docs in neurocim.nn)
    NEUROSIM_V14 = "neurosim_v14"  # DNN+NeuroSim V1.4 hardware-aware path (its VGG8 branch), quirks included
    NEUROSIM_V14_OUTPUT_ADC = "neurosim_v14_output_adc"  # V1.4 path of its other models: one ADC over the output
    NEUROSIM_V21 = "neurosim_v21"  # on-chip training: DNN+NeuroSim V2.1's weight-update rule, quirks included


class QuantScheme(str, Enum):
    WAGE = "wage"  # NeuroSim WAGE: weights on the 2^-(b-1) grid, per-layer power-of-two scale from fan-in
    PTQ = "ptq"  # post-training quantization of a float model with calibrated ranges


class Granularity(str, Enum):
    PER_TENSOR = "per_tensor"
    PER_CHANNEL = "per_channel"  # one weight scale per output channel


class RangeCalibration(str, Enum):
    MAX = "max"
    PERCENTILE = "percentile"


class AdcRangeMode(str, Enum):
    CALIBRATED = "calibrated"  # one fixed range per layer, set from calibration data
    FULL_SCALE = "full_scale"  # fixed range spanning the largest possible column current
    NEUROSIM_BATCH_MINMAX = "neurosim_batch_minmax"  # NeuroSim: min..max of each ADC call's tensor (batch-dependent)


class DriftDirection(str, Enum):
    RANDOM = "random"  # each cell drifts up, down or not at all (drawn once per device; per read under compat)
    TOWARD_TARGET = "toward_target"  # every cell drifts toward a target conductance


class QuantizationConfig(_Section):
    scheme: QuantScheme | None = Field(None, description="wage or ptq (default: wage under NeuroSim compat, else ptq)")
    weight_granularity: Granularity = Field(Granularity.PER_CHANNEL, description="PTQ weight scale granularity")
    weight_calibration: RangeCalibration = Field(
        RangeCalibration.MAX, description="PTQ weight range: max or percentile"
    )
    activation_calibration: RangeCalibration = Field(
        RangeCalibration.MAX, description="PTQ input range from calibration data: max or percentile"
    )
    percentile: float = Field(99.99, gt=0, le=100, description="percentile (0..100] for percentile calibration")
    wage_error_bits: int = Field(8, ge=2, le=16, description="WAGE error (backward) bits of the output quantizer")


class AdcAccuracyConfig(_Section):
    range_mode: AdcRangeMode | None = Field(
        None, description="calibrated, full_scale or neurosim_batch_minmax (default: batch min/max under compat)"
    )
    calibration: RangeCalibration = Field(RangeCalibration.MAX, description="how a calibrated range is set")
    percentile: float = Field(99.99, gt=0, le=100, description="percentile (0..100] of the column reads")


class InputConfig(_Section):
    bits_per_cycle: int = Field(
        1, ge=1, le=16, description="input bits applied per read cycle (1 = bit-serial; >1 DAC)"
    )


class DriftConfig(_Section):
    time_s: float = Field(0.0, ge=0, description="time since programming, s")
    coefficient: float = Field(0.0, ge=0, description="drift exponent v in G(t) = G0 * (t/t0)^(+-v)")
    reference_time_s: float = Field(1.0, gt=0, description="t0, s; no drift before it")
    direction: DriftDirection = Field(DriftDirection.RANDOM, description="random or toward_target")
    target: float = Field(0.0, ge=0, le=1, description="drift target as a fraction of the conductance range (0..1)")

    @property
    def active(self) -> bool:
        return self.time_s > 0 and self.coefficient > 0


class FaultConfig(_Section):
    stuck_at_0_rate: float = Field(0.0, ge=0, le=1, description="fraction of cells stuck at the lowest state")
    stuck_at_1_rate: float = Field(0.0, ge=0, le=1, description="fraction of cells stuck at the highest state")

    @model_validator(mode="after")
    def _check(self) -> FaultConfig:
        total = self.stuck_at_0_rate + self.stuck_at_1_rate
        if total > 1:
            raise ValueError(f"faults: stuck_at_0_rate + stuck_at_1_rate = {total} exceeds 1; allowed 0..1")
        return self

    @property
    def active(self) -> bool:
        return self.stuck_at_0_rate > 0 or self.stuck_at_1_rate > 0


class DeviceConfig(_Section):
    d2d_sigma: float = Field(0.0, ge=0, description="device-to-device relative conductance std, frozen per device")
    c2c_sigma: float = Field(
        0.0, ge=0, description="cycle-to-cycle relative conductance std, redrawn every read (NeuroSim 'vari' in compat)"
    )
    drift: DriftConfig = DriftConfig()
    faults: FaultConfig = FaultConfig()
    conductance_table_csv: Path | None = Field(
        None, description="CSV with columns state,conductance_s[,sigma_s]: per-state conductance statistics"
    )

    @model_validator(mode="after")
    def _check(self) -> DeviceConfig:
        path = self.conductance_table_csv
        if path is not None and not Path(path).is_file():
            raise ValueError(f"devices.conductance_table_csv={str(path)!r}: file not found")
        return self

    @property
    def ideal(self) -> bool:
        """True when every conductance sits exactly on its nominal level."""
        return (
            self.d2d_sigma == 0
            and self.c2c_sigma == 0
            and not self.drift.active
            and not self.faults.active
            and self.conductance_table_csv is None
        )


class AccuracyConfig(_Section):
    """What the accuracy model needs beyond the chip: quantization, ADC range, non-idealities, seeds."""

    compat: CompatMode = Field(CompatMode.NONE, description="none, neurosim_v14, neurosim_v14_output_adc, neurosim_v21")
    quantization: QuantizationConfig = QuantizationConfig()
    adc: AdcAccuracyConfig = AdcAccuracyConfig()
    input: InputConfig = InputConfig()
    devices: DeviceConfig = DeviceConfig()
    seed: int = Field(0, ge=0, description="seed of every random draw (device maps, read noise)")
    monte_carlo_repeats: int = Field(1, ge=1, description="independent device draws an evaluation averages over")
    max_chunk_elements: int = Field(
        2**25, ge=2**10, description="upper bound on the elements of one partial-sum chunk (memory bound)"
    )

    @model_validator(mode="after")
    def _check(self) -> AccuracyConfig:
        if self.compat is not CompatMode.NONE:
            if self.quantization.scheme is QuantScheme.PTQ:
                raise ValueError(f"quantization.scheme=ptq is not available with compat={self.compat.value}; use wage")
            if self.input.bits_per_cycle != 1:
                raise ValueError(
                    f"input.bits_per_cycle={self.input.bits_per_cycle} is not available with "
                    f"compat={self.compat.value}; NeuroSim feeds inputs one bit per cycle (allowed: 1)"
                )
        return self

    @property
    def scheme(self) -> QuantScheme:
        if self.quantization.scheme is not None:
            return self.quantization.scheme
        return QuantScheme.PTQ if self.compat is CompatMode.NONE else QuantScheme.WAGE

    @property
    def adc_range_mode(self) -> AdcRangeMode:
        if self.adc.range_mode is not None:
            return self.adc.range_mode
        return AdcRangeMode.CALIBRATED if self.compat is CompatMode.NONE else AdcRangeMode.NEUROSIM_BATCH_MINMAX
