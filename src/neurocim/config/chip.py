"""Typed, validated chip configuration: every hardware setting, once, with SI units."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from neurocim.compat.quirks import ChipCompat, enabled_quirks, quirk_names
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.tech.nodes import NODES_NM as SUPPORTED_NODES_NM
from neurocim.tech.nodes import V21_FINFET_NODES_NM, WL_REPEATERS, sram_cell_f


class _Section(BaseModel):
    """Base for config sections: unknown keys are errors, values are re-validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class Roadmap(str, Enum):
    HP = "hp"  # high performance
    LSTP = "lstp"  # low standby power


class CellType(str, Enum):
    SRAM = "sram"
    RRAM = "rram"
    FEFET = "fefet"


class AccessType(str, Enum):
    CMOS = "cmos"  # 1T1R
    BJT = "bjt"
    DIODE = "diode"
    NONE = "none"  # crossbar, no access device


class ReadMode(str, Enum):
    PARALLEL = "parallel"  # conventional parallel: many rows read at once, ADC per column group
    SEQUENTIAL = "sequential"  # conventional sequential: one row at a time


class AdcType(str, Enum):
    FLASH = "flash"  # multilevel sense amplifier (MLSA) + encoder
    SAR = "sar"


class SenseMode(str, Enum):
    CURRENT = "current"
    VOLTAGE = "voltage"


class MappingType(str, Enum):
    NOVEL = "novel"  # kernel positions split over PEs (NeuroSim "novel mapping")
    CONVENTIONAL = "conventional"


class BusType(str, Enum):
    XY_BUS = "xy_bus"
    HTREE = "htree"


class BufferType(str, Enum):
    REGISTER_FILE = "register_file"
    SRAM = "sram"


class ActivationFunction(str, Enum):
    RELU = "relu"
    SIGMOID = "sigmoid"


class ActivationPlace(str, Enum):
    CHIP = "chip"
    TILE = "tile"


class TechnologyConfig(_Section):
    node_nm: int = Field(22, description="technology node in nm, one of 130 90 65 45 32 22 14 10 7 5 3 2 1")
    roadmap: Roadmap = Field(Roadmap.LSTP, description="transistor roadmap: hp or lstp")
    temperature_k: int = Field(300, ge=300, le=400, description="operating temperature in K (300..400)")

    @model_validator(mode="after")
    def _check(self) -> TechnologyConfig:
        if self.node_nm not in SUPPORTED_NODES_NM:
            raise ValueError(f"technology.node_nm={self.node_nm} is not supported; allowed: {SUPPORTED_NODES_NM}")
        return self

    def check_advanced_node(self, v21_finfet: bool) -> None:
        """V1.4's FinFET/GAA data has LSTP at 300 K only; V2.1's FinFETs (`v21_finfet`) have HP and 300..400 K."""
        if self.node_nm > 14 or v21_finfet:
            return
        if self.roadmap is Roadmap.HP:
            raise ValueError(
                f"technology.roadmap=hp is not available at node_nm={self.node_nm}; use lstp at <= 14 nm (or "
                "NeuroSim V2.1's 14, 10 and 7 nm FinFETs with quirk v21_transistor_data)"
            )
        if self.temperature_k != 300:
            raise ValueError(
                f"technology.temperature_k={self.temperature_k} is not available at node_nm={self.node_nm}; "
                "only 300 K is characterised at <= 14 nm (or with NeuroSim V2.1's 14, 10 and 7 nm FinFETs)"
            )


class CellConfig(_Section):
    type: CellType = Field(CellType.SRAM, description="memory cell: sram, rram or fefet")
    access: AccessType = Field(AccessType.CMOS, description="access device of eNVM cells: cmos (1T1R) or none")
    bits_per_cell: int = Field(1, ge=1, le=8, description="bits stored per cell (SRAM is always 1)")
    r_on_ohm: float = Field(100e3, gt=0, description="on-state resistance at the read voltage, ohm")
    on_off_ratio: float = Field(17.0, gt=1, description="R_off / R_on")
    read_voltage_v: float | None = Field(None, gt=0, description="read voltage, V (default: per-node value)")
    read_pulse_width_s: float = Field(10e-9, gt=0, description="read pulse width, s")
    access_voltage_v: float = Field(1.1, gt=0, description="gate voltage of the 1T1R access transistor, V")
    write_voltage_v: float = Field(2.0, gt=0, description="write voltage, V (> 1.5 V adds level shifters)")
    min_sense_voltage_v: float = Field(0.1, gt=0, description="sense-amplifier input swing, V")
    height_f: float | None = Field(None, gt=0, description="cell height in feature sizes (default per cell/node)")
    width_f: float | None = Field(None, gt=0, description="cell width in feature sizes (default per cell/node)")

    @property
    def r_off_ohm(self) -> float:
        return self.r_on_ohm * self.on_off_ratio


class ArrayConfig(_Section):
    rows: int = Field(128, gt=0, description="rows of one sub-array")
    cols: int = Field(128, gt=0, description="columns of one sub-array")
    parallel_rows: int | None = Field(None, gt=0, description="rows read at once (default: all rows in parallel mode)")
    read_mode: ReadMode = Field(ReadMode.PARALLEL, description="parallel or sequential read")
    cols_per_adc: int = Field(8, gt=0, description="columns sharing one ADC (numColMuxed)")
    relax_cell_height: bool = Field(False, description="stretch cells to the logic pitch (height)")
    relax_cell_width: bool = Field(False, description="stretch cells to the logic pitch (width)")

    @model_validator(mode="after")
    def _check(self) -> ArrayConfig:
        if self.parallel_rows is not None and self.parallel_rows > self.rows:
            raise ValueError(
                f"array.parallel_rows={self.parallel_rows} exceeds array.rows={self.rows}; allowed 1..{self.rows}"
            )
        if self.cols_per_adc > self.cols:
            raise ValueError(
                f"array.cols_per_adc={self.cols_per_adc} exceeds array.cols={self.cols}; allowed 1..{self.cols}"
            )
        return self

    @property
    def rows_in_parallel(self) -> int:
        if self.read_mode is ReadMode.SEQUENTIAL:
            return 1
        return self.parallel_rows if self.parallel_rows is not None else self.rows


class AdcConfig(_Section):
    type: AdcType = Field(AdcType.FLASH, description="flash (multilevel sense amp) or sar")
    sense_mode: SenseMode = Field(SenseMode.CURRENT, description="flash comparators in current or voltage mode")
    bits: int = Field(5, ge=1, le=12, description="ADC precision in bits (levels = 2**bits)")
    dummy_column_shared: int | None = Field(
        None, gt=0, description="sense amps sharing one reference column (default: 2**bits)"
    )

    @property
    def levels(self) -> int:
        return 2**self.bits


class PrecisionConfig(_Section):
    weight_bits: int = Field(8, ge=1, le=16, description="weight precision, bits")
    input_bits: int = Field(8, ge=1, le=16, description="activation (input) precision, bits")
    weight_max: float = Field(1.0, description="largest algorithm weight")
    weight_min: float = Field(-1.0, description="smallest algorithm weight")

    @model_validator(mode="after")
    def _check(self) -> PrecisionConfig:
        if self.weight_max <= self.weight_min:
            raise ValueError(
                f"precision.weight_max={self.weight_max} must exceed precision.weight_min={self.weight_min}"
            )
        return self


class BufferConfig(_Section):
    global_type: BufferType = Field(BufferType.REGISTER_FILE, description="global buffer: register_file or sram")
    tile_type: BufferType = Field(BufferType.REGISTER_FILE, description="tile buffers: register_file or sram")
    pe_type: BufferType = Field(BufferType.REGISTER_FILE, description="PE buffers: register_file or sram")
    global_core_rows: int = Field(128, gt=0, description="global buffer core rows (bits)")
    global_core_cols: int = Field(128, gt=0, description="global buffer core columns (bits)")
    tile_core_rows: int = Field(32, gt=0, description="tile buffer core rows (bits)")
    tile_core_cols: int = Field(32, gt=0, description="tile buffer core columns (bits)")


class InterconnectConfig(_Section):
    global_bus: BusType = Field(BusType.XY_BUS, description="chip-level interconnect: xy_bus or htree")
    global_delay_tolerance: float = Field(0.1, ge=0, description="global repeater relaxation over optimal delay")
    local_delay_tolerance: float = Field(0.1, ge=0, description="tile-level repeater relaxation")
    tree_folded_ratio: float = Field(4.0, gt=0, description="H-tree / bus layout folding factor")
    max_global_bus_width: int = Field(2048, gt=0, description="cap on the global bus width, bits")
    input_toggle: float = Field(0.18, ge=0, le=1, description="bit toggle rate of inputs on wires")
    output_toggle: float = Field(0.5, ge=0, le=1, description="bit toggle rate of outputs on wires")
    sync_data_transfer: bool = Field(False, description="synchronous pipelined data transfer (needs htree)")


class ActivationConfig(_Section):
    place: ActivationPlace = Field(ActivationPlace.CHIP, description="activation units at chip or in tiles")
    function: ActivationFunction = Field(ActivationFunction.RELU, description="relu or sigmoid")
    sigmoid_lut: CellType = Field(CellType.SRAM, description="memory of the sigmoid look-up table: sram or rram")


class ClockConfig(_Section):
    synchronous: bool = Field(True, description="clock set by the sensing delay (true) or asynchronous")
    max_frequency_hz: float = Field(1e9, gt=0, description="upper bound on the clock frequency, Hz")


class PipelineConfig(_Section):
    enabled: bool = Field(True, description="layer-per-stage pipeline (true) or layer-by-layer")
    speedup_degree: int = Field(8, ge=1, description="weight duplication degree (capped by the idle-free bound)")


class CalibrationConfig(_Section):
    validated: bool = Field(True, description="apply the silicon calibration factors below")
    alpha: float = Field(1.44, gt=0, description="level-shifter wiring area factor")
    beta: float = Field(1.4, gt=0, description="sensing-cycle latency factor")
    gamma: float = Field(0.5, gt=0, description="DFF switching activity")
    delta: float = Field(0.15, gt=0, description="adder switching activity")
    epsilon: float = Field(0.05, gt=0, description="control-logic switching activity")
    zeta: float = Field(1.22, gt=0, description="post-layout energy factor (TOPS/W)")


class SizingConfig(_Section):
    """Peripheral sizing knobs; None means NeuroSim's per-node default."""

    mux_driver_factor: float | None = Field(None, gt=0, description="mux decoder final-driver width multiplier")
    wl_decoder_factor: float | None = Field(None, gt=0, description="WL decoder final-driver width multiplier")
    switch_matrix_ratio: float | None = Field(None, gt=0, description="switch-matrix TG target-R scale")
    new_switch_matrix_ratio: float | None = Field(None, gt=0, description="1T1R WL switch-matrix TG width")
    wl_repeaters: int | None = Field(None, ge=0, description="WL repeaters per row")
    wl_repeater_size: float | None = Field(None, ge=0, description="WL repeater size (x minimum)")
    special_layout: bool = Field(True, description="GAA special standard-cell layout at 2/1 nm")


class ChipConfig(_Section):
    """Everything the cost model needs to know about one CIM chip."""

    technology: TechnologyConfig = TechnologyConfig()
    cell: CellConfig = CellConfig()
    array: ArrayConfig = ArrayConfig()
    adc: AdcConfig = AdcConfig()
    precision: PrecisionConfig = PrecisionConfig()
    mapping: MappingType = Field(MappingType.NOVEL, description="novel or conventional weight mapping")
    strict_floorplan: bool = Field(
        False,
        description="refuse a network too small for the PE/tile hierarchy of these sub-arrays, as NeuroSim does "
        "('SubArray Size is too large'); false: use the smallest PE and tile (the floorplan reports it)",
    )
    pipeline: PipelineConfig = PipelineConfig()
    clock: ClockConfig = ClockConfig()
    buffers: BufferConfig = BufferConfig()
    interconnect: InterconnectConfig = InterconnectConfig()
    activation: ActivationConfig = ActivationConfig()
    calibration: CalibrationConfig = CalibrationConfig()
    sizing: SizingConfig = SizingConfig()
    training: TrainingHardwareConfig = TrainingHardwareConfig()
    compat: ChipCompat = Field(
        ChipCompat.NONE,
        description="none: physically faithful; neurosim_v14 / neurosim_v21: reproduce NeuroSim V1.4 / V2.1 "
        "(docs/compat_quirks.md)",
    )
    quirks: dict[str, bool] = Field(
        default_factory=dict, description="single quirks switched on (true) or off (false) over the compat mode"
    )

    @model_validator(mode="after")
    def _cross_checks(self) -> ChipConfig:
        unknown = sorted(set(self.quirks) - quirk_names())
        if unknown:
            raise ValueError(f"quirks: unknown {unknown}; allowed: {sorted(quirk_names())}")
        node = self.technology.node_nm
        v21_finfet = "v21_transistor_data" in enabled_quirks(self.compat, self.quirks) and node in V21_FINFET_NODES_NM
        self.technology.check_advanced_node(v21_finfet)
        if self.cell.type is CellType.RRAM and node <= 14 and not v21_finfet:
            raise ValueError(
                f"cell.type=rram is not supported at technology.node_nm={node}; RRAM needs a node >= 22 nm, or "
                "NeuroSim V2.1's FinFETs (14, 10, 7 nm with quirk v21_transistor_data)"
            )
        if self.cell.access in (AccessType.BJT, AccessType.DIODE):
            raise ValueError(
                f"cell.access={self.cell.access.value} is not modelled by the cost model; allowed: cmos, none"
            )
        if self.cell.type is CellType.SRAM and self.cell.bits_per_cell != 1:
            raise ValueError(f"cell.bits_per_cell={self.cell.bits_per_cell} is invalid for SRAM; SRAM stores 1 bit")
        if self.cell.bits_per_cell > self.precision.weight_bits:
            raise ValueError(
                f"cell.bits_per_cell={self.cell.bits_per_cell} exceeds precision.weight_bits="
                f"{self.precision.weight_bits}; allowed 1..{self.precision.weight_bits}"
            )
        cell_bits = 1 if self.cell.type is CellType.SRAM else self.cell.bits_per_cell
        cols_per_weight = -(-self.precision.weight_bits // cell_bits)
        if cols_per_weight > self.array.cols:
            raise ValueError(
                f"precision.weight_bits={self.precision.weight_bits} takes {cols_per_weight} columns of "
                f"{cell_bits}-bit cells, more than array.cols={self.array.cols}; allowed: array.cols >= "
                f"{cols_per_weight}, or more bits per cell"
            )
        if self.interconnect.sync_data_transfer:
            self._check_sync_data_transfer()
        self._check_repeaters()
        self._check_sram_footprint()
        if self.training.enabled and self.pipeline.enabled:
            raise ValueError(
                "training.enabled=true needs pipeline.enabled=false: the training-cost estimate models layer-by-layer "
                "chips (NeuroSim V2.1's pipeline mode crashes); allowed: pipeline.enabled=false, or training off"
            )
        return self

    def _check_sram_footprint(self) -> None:
        """The node's 6T bit cell is the smallest SRAM cell (the pitch-matched periphery is sized for it)."""
        node = self.technology.node_nm
        if self.cell.type is not CellType.SRAM:
            return
        smallest = sram_cell_f(node, self.compat is ChipCompat.NEUROSIM_V21)
        for side, given, least in zip(("height_f", "width_f"), (self.cell.height_f, self.cell.width_f),
                                      smallest, strict=True):  # fmt: skip
            if given is not None and given < least:
                raise ValueError(
                    f"cell.{side}={given} is smaller than the {node} nm SRAM bit cell; allowed: >= {least} "
                    "(its sense amplifiers and drivers must fit the cell pitch)"
                )

    def _check_repeaters(self) -> None:
        """Word-line repeaters need a size: given, or the node's default."""
        node, s = self.technology.node_nm, self.sizing
        default_count, default_size = WL_REPEATERS.get(node, (0, 0.0))
        count = default_count if s.wl_repeaters is None else s.wl_repeaters
        size = default_size if s.wl_repeater_size is None else s.wl_repeater_size
        if count > 0 and size <= 0:
            raise ValueError(
                f"sizing.wl_repeaters={count} needs sizing.wl_repeater_size > 0 (got {s.wl_repeater_size}; "
                f"no default size at technology.node_nm={node}); allowed: a size > 0, or wl_repeaters=0"
            )

    def _check_sync_data_transfer(self) -> None:
        ok = (
            self.interconnect.global_bus is BusType.HTREE
            and self.activation.place is ActivationPlace.CHIP
            and self.mapping is MappingType.NOVEL
            and self.pipeline.enabled
            and self.clock.synchronous
            and self.buffers.global_type is BufferType.REGISTER_FILE
        )
        if not ok:
            raise ValueError(
                "interconnect.sync_data_transfer=true needs global_bus=htree, activation.place=chip, "
                "mapping=novel, pipeline.enabled=true, clock.synchronous=true and buffers.global_type=register_file"
            )
