"""The top-level run configuration: chip, accuracy model, network and data set in one typed, validated file."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from neurocim.config.accuracy import AccuracyConfig
from neurocim.config.chip import ChipConfig
from neurocim.config.io import ConfigError, dump_config, load_chip_config, read_mapping, validate_strictly
from neurocim.config.placement import CHIP_ALIASES, misplaced, misplaced_sections
from neurocim.config.train import TrainConfig

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DEFAULT_RUN = EXAMPLES / "default_run.yaml"
SHIPPED_WEIGHTS = ("digits_cnn",)  # models whose trained weights ship with neurocim

# The bundled default (examples/default_run.yaml): what a run file's missing settings fall back to.
DEFAULT_CHIP: dict[str, Any] = {"cell": {"type": "rram"}}  # ChipConfig defaults otherwise: 22 nm, 1T1R, 1 b/cell
# 2**20-element partial-sum chunks stay in CPU caches: ~3x faster than AccuracyConfig's 2**25 on a 2-core CPU.
DEFAULT_ACCURACY: dict[str, Any] = {
    "devices": {"d2d_sigma": 0.05},
    "monte_carlo_repeats": 3,
    "max_chunk_elements": 2**20,
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class DatasetName(str, Enum):
    DIGITS = "digits"  # scikit-learn 8x8 digits, offline
    CIFAR10 = "cifar10"  # local cifar-10-batches-py
    IMAGENET = "imagenet"  # local folder with val/ (and train/) class sub-folders


class CalibrationSplit(str, Enum):
    TRAIN = "train"
    TEST = "test"


class ModelConfig(_Section):
    name: str = Field("digits_cnn", description="registered network: digits_cnn, vgg8, densenet40 or resnet18")
    checkpoint: Path | None = Field(
        None, description="weights file (NeuroSim .pth or a state dict); default: shipped weights (digits_cnn only)"
    )
    options: dict[str, Any] = Field(default_factory=dict, description="keyword arguments of the model builder")
    exclude: list[str] = Field(
        default_factory=list,
        description="conv/linear module names (or fnmatch patterns) kept digital, off the CIM chip",
    )

    @model_validator(mode="after")
    def _check(self) -> ModelConfig:
        from neurocim.models.registry import MODEL_NAMES

        key = self.name.strip().lower().replace("-", "").replace("_", "")
        known = {n.replace("_", ""): n for n in MODEL_NAMES}
        if key not in known:
            raise ValueError(f"model.name={self.name!r} is unknown; allowed: {', '.join(MODEL_NAMES)}")
        if self.checkpoint is None and known[key] not in SHIPPED_WEIGHTS:
            raise ValueError(
                f"model.checkpoint is required for model.name={self.name!r} (no shipped weights; "
                f"shipped: {', '.join(SHIPPED_WEIGHTS)})"
            )
        if self.checkpoint is None and self.options:
            raise ValueError(
                f"model.options={self.options!r} need model.checkpoint: the shipped weights fit the default "
                f"{known[key]} only"
            )
        if self.checkpoint is not None and not Path(self.checkpoint).is_file():
            raise ValueError(f"model.checkpoint={str(self.checkpoint)!r}: file not found")
        return self


class DataConfig(_Section):
    name: DatasetName = Field(DatasetName.DIGITS, description="data set: digits, cifar10 or imagenet")
    root: Path | None = Field(None, description="data folder (cifar10, imagenet); digits needs none")
    batch_size: int = Field(150, ge=1, description="images per forward pass (test and calibration)")
    test_samples: int | None = Field(None, ge=1, description="evaluate the first N test images (default: all)")
    calibration_batches: int = Field(2, ge=1, description="batches that set the input and ADC ranges")
    calibration_split: CalibrationSplit = Field(CalibrationSplit.TRAIN, description="split calibrated on")
    num_workers: int = Field(0, ge=0, description="DataLoader worker processes")
    image_size: int = Field(224, ge=1, description="imagenet: centre-crop size, px")
    resize: int = Field(256, ge=1, description="imagenet: shorter side before cropping, px")

    @model_validator(mode="after")
    def _check(self) -> DataConfig:
        name = self.name.value
        if self.name is DatasetName.DIGITS:
            if self.root is not None:
                raise ValueError(f"data.root={str(self.root)!r} is not used by data.name=digits (it ships offline)")
            return self
        if self.root is None:
            raise ValueError(f"data.root is required for data.name={name} (no downloads); give the data folder")
        if not Path(self.root).is_dir():
            raise ValueError(f"data.root={str(self.root)!r}: folder not found (data.name={name})")
        return self


def _merged(default: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(default)
    for key, value in given.items():
        old = out.get(key)
        out[key] = _merged(old, value) if isinstance(old, Mapping) and isinstance(value, Mapping) else value
    return out


class RunConfig(_Section):
    """One accuracy run: the chip (every hardware value), the accuracy model, the network and the data.

    A section given as a mapping is laid over the bundled default (examples/default_run.yaml): a setting left
    out keeps the default's value. Hardware values (ADC bits, cell bits, precisions, sub-array size) exist only
    in `chip`; writing one under `accuracy` is refused.
    """

    chip: ChipConfig = Field(default_factory=lambda: ChipConfig.model_validate(DEFAULT_CHIP))
    accuracy: AccuracyConfig = Field(default_factory=lambda: AccuracyConfig.model_validate(DEFAULT_ACCURACY))
    model: ModelConfig = ModelConfig()
    data: DataConfig = DataConfig()
    train: TrainConfig = TrainConfig()  # read by `neurocim train` only

    @model_validator(mode="before")
    @classmethod
    def _place(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        sections: dict[str, type[BaseModel]] = {
            "chip": ChipConfig,
            "accuracy": AccuracyConfig,
            "model": ModelConfig,
            "data": DataConfig,
            "train": TrainConfig,
        }
        problems = misplaced_sections(data, sections)
        acc, chip, train = data.get("accuracy"), data.get("chip"), data.get("train")
        if isinstance(train, Mapping):
            problems += misplaced(train, TrainConfig, "train", ChipConfig, "chip", CHIP_ALIASES)
        if isinstance(acc, Mapping):
            problems += misplaced(acc, AccuracyConfig, "accuracy", ChipConfig, "chip", CHIP_ALIASES)
        if isinstance(chip, Mapping):
            problems += misplaced(chip, ChipConfig, "chip", AccuracyConfig, "accuracy")
        if problems:
            raise ValueError("; ".join(problems))
        out = dict(data)
        for key, default in (("chip", DEFAULT_CHIP), ("accuracy", DEFAULT_ACCURACY)):
            if isinstance(out.get(key), Mapping):
                out[key] = _merged(default, out[key])
        return out

    @model_validator(mode="after")
    def _cross_check(self) -> RunConfig:
        from neurocim.nn.settings import resolve_settings

        try:
            resolve_settings(self.chip, self.accuracy)
        except ValueError as err:
            raise ValueError(f"chip + accuracy: {err}") from None
        act_bits = self.model.options.get("act_bits")
        if act_bits is not None and act_bits != self.chip.precision.input_bits:
            raise ValueError(
                f"model.options.act_bits={act_bits!r} contradicts chip.precision.input_bits="
                f"{self.chip.precision.input_bits}: the model's activations are the chip's inputs; "
                "set the precision once, under chip.precision"
            )
        return self


def run_config_from(data: Mapping[str, Any] | RunConfig, source: str = "config") -> RunConfig:
    """Validate a run configuration given as a mapping; errors name the source and the field."""
    if isinstance(data, RunConfig):
        return data
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a mapping with sections chip, accuracy, model, data")
    return validate_strictly(RunConfig, dict(data), source)


def _chip_file(name: str, base: Path) -> Path:
    """A chip file named in a run file: relative to that file, else a bundled example."""
    for candidate in (base / name, EXAMPLES / name):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"chip={name!r}: chip file not found next to the run file ({base}) nor in {EXAMPLES}")


def load_config(path_or_data: str | Path | Mapping[str, Any] | RunConfig | None = None) -> RunConfig:
    """A RunConfig from a YAML/JSON file, a mapping or a RunConfig; None gives the bundled default.

    In a file, `chip:` may also name a chip file (relative to the run file, or a bundled example such as
    chip_sram_22nm.yaml); it is then read as a complete chip configuration. Relative model.checkpoint and
    data.root paths are relative to the run file's folder.
    """
    if path_or_data is None:
        path_or_data = DEFAULT_RUN
    if isinstance(path_or_data, RunConfig | Mapping):
        return run_config_from(path_or_data)
    if not isinstance(path_or_data, str | Path):
        hint = " (wrap it: RunConfig(chip=...))" if isinstance(path_or_data, ChipConfig) else ""
        raise TypeError(
            f"a run configuration must be a RunConfig, a YAML/JSON path, a mapping or None; "
            f"got {type(path_or_data).__name__}{hint}"
        )
    path = Path(path_or_data)
    data = read_mapping(path)
    if isinstance(data.get("chip"), str):
        data["chip"] = load_chip_config(_chip_file(data["chip"], path.parent))
    _resolve_relative(data, path.parent)
    return run_config_from(data, str(path))


def _resolve_relative(data: dict[str, Any], base: Path) -> None:
    """Relative model.checkpoint and data.root of a run file are relative to the file's folder."""
    for section, key in (("model", "checkpoint"), ("data", "root")):
        part = data.get(section)
        if isinstance(part, Mapping) and isinstance(part.get(key), str) and not Path(part[key]).is_absolute():
            data[section] = {**part, key: str(base / part[key])}


def dump_run_config(config: RunConfig, path: str | Path) -> None:
    """Write a RunConfig as YAML (JSON for a .json path); it loads back equal."""
    dump_config(config, path)
