"""NeuroSim's own trace files: weight<name>.csv, input<name>.csv and the trace_command.sh that orders them."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from neurocim.errors import clipped
from neurocim.workload.network import Layer, default_layer_name
from neurocim.workload.traces import (
    LayerTrace,
    TraceError,
    bit_planes_to_codes,
    check_traces,
    codes_to_bit_planes,
    weight_to_levels,
)

COMMAND_FILE = "trace_command.sh"
_COMMA, _NEWLINE, _ZERO = ord(","), ord("\n"), ord("0")


def _file_bytes(path: Path, what: str) -> bytes:
    """The bytes of a trace file; a folder, a missing or unreadable file is named."""
    if path.is_dir():
        raise TraceError(f"{path}: is a directory, expected a {what}")
    if not path.is_file():
        raise TraceError(f"{path}: {what} not found")
    try:
        return path.read_bytes()
    except OSError as err:
        raise TraceError(f"{path}: cannot read the {what} ({err.strerror or err})") from None


_NUMBER_BYTES = b"0123456789+-.eE, \t\r\n"


def _matrix(path: Path, data: bytes, what: str, kind: str) -> np.ndarray:
    """A comma-separated numeric matrix from a file's bytes; stray characters, ragged or empty files are refused."""
    stray = data.translate(None, _NUMBER_BYTES)
    if stray:
        offset = data.index(stray[:1])
        line = data.count(b"\n", 0, offset) + 1
        raise TraceError(
            f"{path}: {what} holds the character {bytes([stray[0]])!r} (line {line}); "
            "expected comma-separated decimal numbers"
        )
    text = data.decode("ascii")
    if not text.strip():
        raise TraceError(f"{path}: {what} is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy warns (and returns nothing) on an empty file
            values = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64, ndmin=2, comments=None)
    except (ValueError, UserWarning) as err:
        raise TraceError(f"{path}: not a rectangular {kind} matrix ({clipped(str(err))})") from None
    if values.size == 0:
        raise TraceError(f"{path}: {what} is empty")
    if not np.isfinite(values).all():
        raise TraceError(f"{path}: {what} holds NaN or infinite values")
    return values


def read_weight_csv(path: str | Path) -> np.ndarray:
    """A weight file (rows x out_channels, comma-separated decimals) as float64."""
    path = Path(path)
    return _matrix(path, _file_bytes(path, "weight file"), "weight file", "numeric")


def _parse_bits_fast(data: bytes) -> np.ndarray | None:
    """Parse '0'/'1' fields separated by ',' with '\\n' line ends; None when the text is not in that form."""
    if not data.endswith(b"\n"):
        data += b"\n"
    line_len = data.find(b"\n") + 1
    if line_len < 2 or line_len % 2 or len(data) % line_len:
        return None
    raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, line_len)
    seps = raw[:, 1::2]
    bits = raw[:, 0::2] - _ZERO
    if (seps[:, :-1] != _COMMA).any() or (seps[:, -1] != _NEWLINE).any() or (bits > 1).any():
        return None
    return bits


def read_input_csv(path: str | Path, input_bits: int) -> np.ndarray:
    """An input file (rows x windows*input_bits bit matrix) as unsigned activation codes (rows x windows)."""
    path = Path(path)
    data = _file_bytes(path, "input file")
    bits = _parse_bits_fast(data)
    if bits is None:  # other spacing or line ends: the slow, general reader
        values = _matrix(path, data, "input file", "0/1")
        if not np.isin(values, (0.0, 1.0)).all():
            raise TraceError(f"{path}: input file holds values other than 0 and 1")
        bits = values.astype(np.uint8)
    if bits.shape[1] % input_bits:
        raise TraceError(f"{path}: {bits.shape[1]} columns is not a multiple of {input_bits} input bits")
    return bit_planes_to_codes(bits, input_bits)


def round_like_csv(weights: np.ndarray) -> np.ndarray:
    """The values NeuroSim parses back from a weight file written with '%10.5f'."""
    w = np.asarray(weights, dtype=np.float64)
    scaled = w * 1e5
    out = np.rint(scaled) / 1e5  # n / 1e5 is the double nearest to the decimal n * 1e-5
    # w * 1e5 may sit within rounding error of a .5 tie: let exact decimal formatting decide those.
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6 + np.abs(scaled) * 1e-14
    if near_tie.any():
        # quantised weights repeat a few values: format each distinct one once
        values, inverse = np.unique(w[near_tie], return_inverse=True)
        out[near_tie] = np.array([float(f"{v:.5f}") for v in values])[inverse]
    return out


def csv_weight_levels(
    weights: np.ndarray, weight_bits: int, weight_min: float = -1.0, weight_max: float = 1.0
) -> np.ndarray:
    """Integer levels of weights as NeuroSim's LoadInWeightData reads them back from the weight files written here,
    rounded to the printed digits."""
    return weight_to_levels(round_like_csv(weights), weight_bits, weight_min, weight_max)


def write_weight_csv(path: str | Path, weights: np.ndarray) -> None:
    """Write weights as the wrapper's hook does (numpy savetxt, '%10.5f', comma-separated)."""
    np.savetxt(path, np.asarray(weights, dtype=np.float64), delimiter=",", fmt="%10.5f")


def write_input_csv(path: str | Path, codes: np.ndarray, input_bits: int) -> None:
    """Write activation codes as the hook's bit matrix ('0'/'1', window-major, MSB first)."""
    bits = codes_to_bit_planes(np.asarray(codes), input_bits)
    rows, cols = bits.shape
    text = np.full((rows, 2 * cols), _COMMA, dtype=np.uint8)
    text[:, 0::2] = bits + _ZERO
    text[:, -1] = _NEWLINE
    Path(path).write_bytes(text.tobytes())


def _natural_key(name: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _pairs_from_command(folder: Path, command: Path) -> list[tuple[Path, Path]]:
    """(weight, input) pairs in the order of a trace_command.sh (NeuroSim's command line)."""
    try:
        tokens = _file_bytes(command, "command file").decode("utf-8").split()
    except UnicodeDecodeError as err:
        raise TraceError(f"{command}: not UTF-8 text (byte at offset {err.start})") from None
    first_csv = next((i for i, t in enumerate(tokens) if t.endswith(".csv")), None)
    if first_csv is None:
        raise TraceError(f"{command}: no network CSV on the command line")
    files = tokens[first_csv + 5 :]  # network CSV, then synapseBit numBitInput subArray parallelRead
    if not files or len(files) % 2:
        raise TraceError(f"{command}: expected (weight, input) file pairs after the 4 numbers, got {len(files)} names")
    resolved = [folder / Path(f).name if (folder / Path(f).name).exists() else folder / f for f in files]
    return list(zip(resolved[0::2], resolved[1::2], strict=True))


def trace_files_in_folder(folder: str | Path, layers: Sequence[Layer] | None = None) -> list[tuple[Path, Path]]:
    """Ordered (weight, input) file pairs of a trace folder.

    Order: the folder's trace_command.sh if present; else weight<name>.csv for each layer name when all exist;
    else every weight<name>.csv with a matching input<name>.csv, names in natural sort order (Conv2_ < Conv10_).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise TraceError(f"{folder}: trace folder not found")
    if (folder / COMMAND_FILE).is_file():
        return _pairs_from_command(folder, folder / COMMAND_FILE)
    if layers:
        pairs = [(folder / f"weight{ly.name}.csv", folder / f"input{ly.name}.csv") for ly in layers]
        if all(w.is_file() and i.is_file() for w, i in pairs):
            return pairs
    names = [p.name[len("weight") : -len(".csv")] for p in folder.glob("weight*.csv")]
    names = sorted((n for n in names if (folder / f"input{n}.csv").is_file()), key=_natural_key)
    return [(folder / f"weight{n}.csv", folder / f"input{n}.csv") for n in names]


def load_traces_csv_folder(
    folder: str | Path,
    layers: Sequence[Layer],
    input_bits: int = 8,
    *,
    files: Sequence[tuple[str | Path, str | Path]] | None = None,
    check_columns: bool = True,
) -> list[LayerTrace]:
    """Traces of `layers` from NeuroSim CSV files: explicit (weight, input) pairs (relative to `folder`),
    as NeuroSim's command line lists them, or the order trace_files_in_folder finds."""
    folder = Path(folder)
    pairs = [(folder / w, folder / i) for w, i in files] if files is not None else trace_files_in_folder(folder, layers)
    if len(pairs) != len(layers):
        raise TraceError(f"{folder}: {len(layers)} layers but {len(pairs)} (weight, input) file pairs")
    traces = []
    for layer, (weight_file, input_file) in zip(layers, pairs, strict=True):
        stem = weight_file.stem
        name = stem[len("weight") :] if stem.startswith("weight") and len(stem) > 6 else layer.name
        traces.append(
            LayerTrace(read_weight_csv(weight_file), read_input_csv(input_file, input_bits), input_bits, name)
        )
    check_traces(layers, traces, check_columns=check_columns)
    return traces


def write_traces_csv_folder(
    folder: str | Path,
    traces: Sequence[LayerTrace],
    *,
    network_csv: str = "NetWork.csv",
    weight_bits: int = 8,
    sub_array: int = 128,
    parallel_read: int = 128,
) -> list[tuple[Path, Path]]:
    """Write weight<name>.csv / input<name>.csv per trace and a trace_command.sh listing them in order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = [trace.name or default_layer_name(i) for i, trace in enumerate(traces)]
    if len(set(names)) != len(names):
        raise TraceError(f"{folder}: trace names must be distinct to name their files, got {names}")
    pairs = []
    for name, trace in zip(names, traces, strict=True):
        weight_file, input_file = folder / f"weight{name}.csv", folder / f"input{name}.csv"
        write_weight_csv(weight_file, trace.weights)
        write_input_csv(input_file, trace.input_codes, trace.input_bits)
        pairs.append((weight_file, input_file))
    input_bits = traces[0].input_bits if traces else 8
    args = " ".join(f"./{w.name} ./{i.name}" for w, i in pairs)
    command = f"./NeuroSIM/main {network_csv} {weight_bits} {input_bits} {sub_array} {parallel_read} {args}\n"
    (folder / COMMAND_FILE).write_text(command)
    return pairs
