"""Layer tables: the network description NeuroSim reads (one CSV row per conv/FC layer)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurocim.errors import InputError, shown

# Column order of a NeuroSim network CSV row.
CSV_FIELDS = ("ifm_h", "ifm_w", "in_channels", "kernel_h", "kernel_w", "out_channels", "pooled", "stride")
MAX_FIELD = 1 << 20  # largest feature-map side, channel count, kernel side or stride a table may give


class WorkloadError(InputError):
    """A network table or trace that cannot describe a valid workload."""


@dataclass(frozen=True)
class Layer:
    """One conv or FC layer (FC = 1x1 kernel on a 1x1 input), as a NeuroSim network CSV row describes it."""

    ifm_h: int
    ifm_w: int
    in_channels: int
    kernel_h: int
    kernel_w: int
    out_channels: int
    pooled: bool = False  # followed by 2x2 max pooling
    stride: int = 1
    name: str = ""

    def __post_init__(self) -> None:
        values = [getattr(self, f) for f in CSV_FIELDS]
        problem = _check_values(values)
        if problem:
            where = f"layer {self.name!r}" if self.name else "layer"
            raise WorkloadError(f"{where}: {problem}")
        for f in CSV_FIELDS:  # store plain ints/bool even when given 32.0 or numpy scalars
            object.__setattr__(self, f, bool(getattr(self, f)) if f == "pooled" else int(getattr(self, f)))

    @property
    def rows(self) -> int:
        """Rows of the unrolled weight matrix (in_channels * kernel_h * kernel_w)."""
        return self.in_channels * self.kernel_h * self.kernel_w

    @property
    def num_windows(self) -> int:
        """Input vectors per image as NeuroSim counts them (its `numInVector`)."""
        # NeuroSim quirk: a valid-convolution count that ignores padding, evaluated left to right in doubles
        # ((H-Kh+1)/s * (W-Kw+1) / s) and truncated only at the end.
        h = float(self.ifm_h - self.kernel_h + 1)
        w = float(self.ifm_w - self.kernel_w + 1)
        return int(h / self.stride * w / self.stride)

    @property
    def macs(self) -> int:
        """Multiply-accumulates NeuroSim counts for TOPS (half its `numComputation`)."""
        # NeuroSim quirk: every input pixel counts as a window (stride and border ignored).
        return self.ifm_h * self.ifm_w * self.rows * self.out_channels

    @property
    def window_macs(self) -> int:
        """Multiply-accumulates over the windows the core actually evaluates (num_windows * rows * out_channels)."""
        return self.num_windows * self.rows * self.out_channels

    def as_row(self) -> tuple[int, ...]:
        """The 8 numbers of this layer's network CSV row."""
        return tuple(int(getattr(self, f)) for f in CSV_FIELDS)


def _check_values(values: Sequence[float]) -> str:
    """Return a description of the first invalid field of a CSV row, or '' when the row is valid."""
    for field, v in zip(CSV_FIELDS, values, strict=True):
        if isinstance(v, bool) and field != "pooled":
            return f"field {field} must be an integer, got {v!r}"
        if not isinstance(v, (int, np.integer, bool, np.bool_)) and not (
            isinstance(v, (float, np.floating)) and v.is_integer()
        ):
            return f"field {field} must be an integer, got {v!r}"
        if field == "pooled":
            if v not in (0, 1):
                return f"field pooled must be 0 or 1, got {v!r}"
        elif v <= 0:
            return f"field {field} must be positive, got {v!r}"
        elif v > MAX_FIELD:
            return f"field {field}={v!r} is implausibly large (at most {MAX_FIELD})"
    h, w, _, kh, kw = (int(v) for v in values[:5])
    if kh > h:
        return f"field kernel_h ({kh}) is larger than ifm_h ({h})"
    if kw > w:
        return f"field kernel_w ({kw}) is larger than ifm_w ({w})"
    return ""


def _layer_from_values(values: Sequence[float], name: str) -> Layer:
    ints = [int(v) for v in values]
    if len(ints) == 7:
        ints.append(1)  # the 7-column form of the NeuroSim manual: stride 1
    h, w, cin, kh, kw, cout = ints[:6]
    return Layer(h, w, cin, kh, kw, cout, pooled=bool(ints[6]), stride=ints[7], name=name)


def default_layer_name(index: int) -> str:
    """Name NeuroSim's printout uses for layer `index` (0-based): 'layer1', 'layer2', ..."""
    return f"layer{index + 1}"


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _parse_number(text: str, path: Path, line_no: int, field: str) -> float:
    """A decimal number (surrounding blanks allowed); Python's extras (1_000, nan, inf) are refused."""
    cell = text.strip(" \t\r")
    if not _DECIMAL.fullmatch(cell):
        raise WorkloadError(f"{path}:{line_no}: field {field} is not a number: {shown(cell)}")
    return float(cell)


def load_network_csv(path: str | Path, names: Sequence[str] | None = None) -> list[Layer]:
    """Read a NeuroSim network CSV (8 numeric columns, or 7 with stride 1; no header)."""
    from neurocim.config.parse import ParseError, read_text

    path = Path(path)
    if not path.exists():
        raise WorkloadError(f"{path}: network CSV not found")
    try:
        text = read_text(path, "network CSV")
    except ParseError as err:
        raise WorkloadError(str(err)) from None
    lines = [(i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln.strip()]
    if not lines:
        raise WorkloadError(f"{path}: network CSV has no layers")
    if names is not None and len(names) != len(lines):
        raise WorkloadError(f"{path}: {len(lines)} layers but {len(names)} names")
    layers = []
    for index, (line_no, line) in enumerate(lines):
        cells = line.split(",")
        if len(cells) not in (7, 8):
            raise WorkloadError(f"{path}:{line_no}: expected 8 columns (or 7 without stride), got {len(cells)}")
        values = [_parse_number(c, path, line_no, f) for c, f in zip(cells, CSV_FIELDS, strict=False)]
        problem = _check_values(values + ([1] if len(values) == 7 else []))
        if problem:
            raise WorkloadError(f"{path}:{line_no}: {problem}")
        layers.append(_layer_from_values(values, names[index] if names else default_layer_name(index)))
    return layers


def network_to_array(layers: Iterable[Layer]) -> np.ndarray:
    """The (N, 8) int64 network table of `layers`."""
    return np.array([layer.as_row() for layer in layers], dtype=np.int64).reshape(-1, len(CSV_FIELDS))


def write_network_csv(path: str | Path, layers: Iterable[Layer], newline: str = "\n") -> None:
    """Write a NeuroSim network CSV (8 columns, no header)."""
    from neurocim.report.outputs import atomic_path

    rows = network_to_array(layers)
    with atomic_path(path, "network CSV") as temp:
        temp.write_text("".join(",".join(str(v) for v in row) + newline for row in rows), newline="")


def network_from_array(table: np.ndarray, names: Sequence[str] | None = None) -> list[Layer]:
    """Layers from an (N, 8) or (N, 7) numeric table in network CSV column order."""
    table = np.asarray(table)
    if table.ndim != 2 or table.shape[1] not in (7, 8):
        raise WorkloadError(f"network table must have shape (N, 8) or (N, 7), got {table.shape}")
    if names is not None and len(names) != table.shape[0]:
        raise WorkloadError(f"network table has {table.shape[0]} rows but {len(names)} names")
    layers = []
    for i, row in enumerate(table.tolist()):
        problem = _check_values(row + ([1] if len(row) == 7 else []))
        if problem:
            raise WorkloadError(f"network table row {i}: {problem}")
        layers.append(_layer_from_values(row, names[i] if names else default_layer_name(i)))
    return layers


def total_macs(layers: Iterable[Layer]) -> int:
    """Sum of NeuroSim-counted MACs over `layers`."""
    return sum(layer.macs for layer in layers)
