"""On-chip training settings: the device's pulse response (update model), optimizer, schedule and records."""

from __future__ import annotations

import math
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

NL_MIN, NL_MAX = 0.01, 9.0  # range of V2.1's nonlinearity-label -> A table


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class UpdateModel(str, Enum):
    LINEAR = "linear"  # every pulse moves the weight by the same step (ideal device)
    NEUROSIM_V21 = "neurosim_v21"  # exponential LTP/LTD curves labelled by nonlinearity (DNN+NeuroSim V2.1)
    SOFT_BOUNDS = "soft_bounds"  # step proportional to the distance to the bound it moves toward
    POWER_STEP = "power_step"  # step proportional to (distance to the bound)^gamma
    TABLE = "table"  # measured conductance vs pulse number (CSV), interpolated


class ForwardPath(str, Enum):
    WAGE = "wage"  # V2.1's training forward: Q(W), WAGE activations and errors, no ADC
    HARDWARE = "hardware"  # neurocim's hardware-aware inference path of the chip (bit-serial, ADC, devices)


class InitKind(str, Enum):
    WAGE = "wage"  # every chip weight U(-1 + 2^(1-b), 1 - 2^(1-b)), as WAGE (V2.1 draws from +-1.5 and clamps)
    KEEP = "keep"  # start from the model's own weights (programmed into the device range)


class LossKind(str, Enum):
    CROSS_ENTROPY = "cross_entropy"
    SSE = "sse"  # 0.5 * sum((logits - onehot)^2) over the batch, as V2.1


class DeviceUpdateConfig(_Section):
    """How one programming pulse moves a synaptic weight; the weight range [-1, 1] spans `max_level` pulses."""

    model: UpdateModel = Field(UpdateModel.LINEAR, description="linear, neurosim_v21, soft_bounds, power_step, table")
    nonlinearity_ltp: float = Field(1.75, description="neurosim_v21: LTP label, |NL| in 0.01..9, sign = curvature")
    nonlinearity_ltd: float = Field(-1.75, description="neurosim_v21: LTD label, |NL| in 0.01..9, sign = curvature")
    max_level: int = Field(32, ge=2, description="pulses that take a device across its whole range")
    d2d_sigma: float = Field(
        0.0, ge=0, description="device-to-device std (frozen): of the NL label (neurosim_v21), else of ln(step)"
    )
    c2c_sigma: float = Field(0.0, ge=0, description="cycle-to-cycle std per pulse, fraction of the weight range")
    bounds_sigma: float = Field(0.0, ge=0, le=1, description="device-to-device std of each device's upper/lower bound")
    gamma: float = Field(1.0, gt=0, le=10, description="power_step: exponent of the distance to the bound")
    table_csv: Path | None = Field(None, description="table: CSV with columns pulse,ltp,ltd (conductance, any unit)")

    @model_validator(mode="after")
    def _check(self) -> DeviceUpdateConfig:
        for name in ("nonlinearity_ltp", "nonlinearity_ltd", "d2d_sigma", "c2c_sigma", "gamma"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name}={getattr(self, name)!r} must be finite")
        if self.model is UpdateModel.NEUROSIM_V21:
            for name in ("nonlinearity_ltp", "nonlinearity_ltd"):
                value = getattr(self, name)
                if not NL_MIN <= abs(value) <= NL_MAX:
                    hint = " (0 means no nonlinearity: use model=linear)" if value == 0 else ""
                    raise ValueError(
                        f"{name}={value} is outside the nonlinearity table; allowed: {NL_MIN} <= |NL| <= "
                        f"{NL_MAX} (sign = curvature){hint}"
                    )
        if self.model is UpdateModel.TABLE:
            if self.table_csv is None:
                raise ValueError("table_csv is required for model=table (columns pulse,ltp,ltd)")
            if not Path(self.table_csv).is_file():
                raise ValueError(f"table_csv={str(self.table_csv)!r}: file not found")
        elif self.table_csv is not None:
            raise ValueError(f"table_csv is used only by model=table, not {self.model.value}")
        return self


class TrainConfig(_Section):
    """On-chip training: optimizer and schedule, gradient/error precision, forward path and the device model."""

    epochs: int = Field(10, ge=1, description="passes over the training set")
    batch_size: int = Field(32, ge=1, description="images per update")
    learning_rate: float = Field(0.03, gt=0, le=100, description="desired weight change per normalised gradient")
    momentum: float = Field(0.0, ge=0, lt=1, description="momentum coefficient (0 = off)")
    dampening: float = Field(0.0, ge=0, le=1, description="the gradient enters the velocity times (1 - dampening)")
    lr_milestones: list[int] = Field(default_factory=list, description="0-based epochs at which the rate is scaled")
    lr_gamma: float = Field(0.1, gt=0, le=1, description="factor applied to the rate at each milestone")
    seed: int = Field(0, ge=0, description="seed of initialisation, shuffling, device maps and update noise")
    forward: ForwardPath = Field(ForwardPath.WAGE, description="wage (V2.1's training forward) or hardware")
    grad_bits: int = Field(5, ge=2, le=16, description="bits of the quantized update (QG) before it becomes pulses")
    error_bits: int = Field(8, ge=2, le=16, description="bits of the back-propagated errors (QE), wage forward")
    init: InitKind = Field(InitKind.WAGE, description="wage (from scratch, WAGE's range) or keep (the model's weights)")
    loss: LossKind = Field(LossKind.CROSS_ENTROPY, description="cross_entropy or sse")
    train_samples: int | None = Field(None, ge=1, description="train on the first N training images (default: all)")
    calibration_batches: int = Field(2, ge=1, description="hardware forward: batches that recalibrate each epoch")
    device: DeviceUpdateConfig = DeviceUpdateConfig()

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        for name in ("learning_rate", "lr_gamma"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name}={getattr(self, name)!r} must be finite")
        bad = [m for m in self.lr_milestones if m < 0 or m >= self.epochs]
        if bad:
            raise ValueError(f"lr_milestones={bad}: allowed 0-based epochs 0..{self.epochs - 1}")
        if self.momentum == 0 and self.dampening != 0:
            raise ValueError(f"dampening={self.dampening} needs momentum > 0 (it scales the velocity)")
        return self

    def rate_at(self, epoch: int) -> float:
        """The learning rate in 0-based epoch `epoch` (step schedule)."""
        return self.learning_rate * self.lr_gamma ** sum(1 for m in self.lr_milestones if m <= epoch)
