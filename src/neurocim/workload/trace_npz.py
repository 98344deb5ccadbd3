"""The .npz trace file, validated before use: container, meta_json, network table and every layer's arrays."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurocim.errors import shown
from neurocim.workload.network import Layer, WorkloadError, default_layer_name, network_from_array
from neurocim.workload.npz_file import NpzArchive
from neurocim.workload.traces import LayerTrace, TraceError, check_trace

MAX_BITS = 16  # weight and input precisions a trace file may record (the chip's precision limits)
_LAYER_KEY_SUFFIXES = ("_weight", "_weight_negzero_idx", "_input_code")


@dataclass(frozen=True)
class TraceMeta:
    """What meta_json may say: the precisions the traces were recorded with and the layer names."""

    weight_bits: int | None = None
    input_bits: int | None = None
    names: tuple[str, ...] | None = None


def _meta_bits(meta: Mapping[str, Any], key: str, path: Path) -> int | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BITS:
        raise TraceError(f"{path}: meta_json.{key}={shown(value)} must be an integer in 1..{MAX_BITS} (bits)")
    return value


def _meta_names(meta: Mapping[str, Any], path: Path) -> tuple[str, ...] | None:
    layers = meta.get("layers")
    if layers is None:
        return None
    if not isinstance(layers, list) or not all(isinstance(entry, dict) for entry in layers):
        raise TraceError(f"{path}: meta_json.layers must be a list of objects, got {shown(layers)}")
    names = []
    for i, entry in enumerate(layers):
        name = entry.get("hook_name") or default_layer_name(i)
        if not isinstance(name, str) or len(name) > 200 or any(c in name for c in "/\\\0\n"):
            raise TraceError(
                f"{path}: meta_json.layers[{i}].hook_name={shown(name)} must be a short text usable in file names"
            )
        names.append(name)
    return tuple(names)


def read_meta(archive: NpzArchive) -> TraceMeta:
    """meta_json checked against its schema (absent: nothing recorded)."""
    path = archive.path
    if "meta_json" not in archive:
        return TraceMeta()
    raw = archive.read("meta_json")
    if raw.shape != () or raw.dtype.kind not in "US":
        raise TraceError(f"{path}: meta_json must be one text value, got {raw.dtype} of shape {raw.shape}")
    try:
        text = raw.item().decode("utf-8") if raw.dtype.kind == "S" else str(raw[()])
        meta = json.loads(text, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise TraceError(f"{path}: meta_json is not valid JSON ({shown(str(err))})") from None
    if not isinstance(meta, dict):
        raise TraceError(f"{path}: meta_json must be a JSON object, got {type(meta).__name__}")
    bits = _meta_bits(meta, "wl_weight", path), _meta_bits(meta, "wl_activate", path)
    return TraceMeta(*bits, _meta_names(meta, path))


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number here")


def _bits(recorded: int | None, requested: int | None, name: str, path: Path) -> int:
    """A precision of the traces: the file's, which a requested value must agree with; else 8."""
    if requested and recorded is not None and requested != recorded:
        raise TraceError(f"{path}: traces were recorded with {name}={recorded}, the chip asks for {requested}")
    return requested or recorded or 8


def _file_layers(archive: NpzArchive, key: str, names: tuple[str, ...] | None) -> list[Layer] | None:
    if key not in archive:
        return None
    table = archive.read(key)
    if table.dtype.kind not in "iuf" or table.ndim != 2:
        raise TraceError(f"{archive.path}: {key} must be a 2-D numeric table, got {table.dtype} of shape {table.shape}")
    if names is not None and len(names) != table.shape[0]:
        raise TraceError(f"{archive.path}: meta_json lists {len(names)} layers, {key} has {table.shape[0]} rows")
    try:
        return network_from_array(table, list(names) if names else None)
    except WorkloadError as err:
        raise TraceError(f"{archive.path}: {key}: {err}") from None


def _row_text(layer: Layer) -> str:
    return ",".join(str(v) for v in layer.as_row())


def _difference(given: Sequence[Layer], stored: list[Layer], key: str) -> str | None:
    """How a given network differs from a table of the file (both shown), or None when they agree."""
    if len(given) != len(stored):
        return (
            f"{len(given)} layers but {len(stored)} traces: the network given has {len(given)} layers, "
            f"the file's {key} {len(stored)}"
        )
    for i, (a, b) in enumerate(zip(given, stored, strict=True)):
        if a.as_row() != b.as_row():
            return (
                f"the network given disagrees with the file's {key} at layer {i + 1}: "
                f"given {_row_text(a)}, file {_row_text(b)} (IFM_H,IFM_W,C_in,K_H,K_W,C_out,pool,stride)"
            )
    return None


def _table_for(archive: NpzArchive, given: Sequence[Layer], key: str, names: tuple[str, ...] | None) -> list[Layer]:
    """The file's table a given network agrees with: the one under `key`, else another network_csv* table of the
    file (a corrected copy, as the reference DenseNet-40 file holds); the given layers when the file has none."""
    primary = _file_layers(archive, key, names)
    if primary is None:
        return list(given)
    problem = _difference(given, primary, key)
    if problem is None:
        return primary
    for other in archive.keys():  # noqa: SIM118 - an archive, not a dict
        if other.startswith("network_csv") and other != key:
            table = _file_layers(archive, other, names)
            if table is not None and _difference(given, table, other) is None:
                return table
    raise TraceError(f"{archive.path}: {problem}")


def _integer_array(array: np.ndarray, what: str, ndim: int) -> None:
    if array.dtype.kind not in "iu" or array.ndim != ndim:
        raise TraceError(f"{what} must be a {ndim}-D integer array, got {array.dtype} of shape {array.shape}")


def _weight_codes(archive: NpzArchive, i: int, label: str, weight_bits: int) -> tuple[np.ndarray, np.ndarray | None]:
    codes = archive.read(f"L{i}_weight")
    _integer_array(codes, f"{label}: L{i}_weight", 2)
    limit = 1 << (weight_bits - 1)
    if codes.size and (int(codes.min()) < -limit or int(codes.max()) > limit):
        raise TraceError(
            f"{label}: L{i}_weight holds codes in [{int(codes.min())}, {int(codes.max())}]; "
            f"{weight_bits}-bit weights are codes in [-{limit}, {limit}]"
        )
    key = f"L{i}_weight_negzero_idx"
    if key not in archive:
        return codes, None
    negzero = archive.read(key)
    _integer_array(negzero, f"{label}: {key}", 1)
    if negzero.size and (int(negzero.min()) < 0 or int(negzero.max()) >= codes.size):
        raise TraceError(
            f"{label}: {key} holds indices in [{int(negzero.min())}, {int(negzero.max())}]; "
            f"allowed 0..{codes.size - 1} (flat indices into L{i}_weight)"
        )
    if negzero.size and codes.reshape(-1)[negzero].any():
        raise TraceError(f"{label}: {key} marks weights that are not zero as negative zeros")
    return codes, negzero


def _input_codes(archive: NpzArchive, i: int, label: str, input_bits: int) -> np.ndarray:
    codes = archive.read(f"L{i}_input_code")
    _integer_array(codes, f"{label}: L{i}_input_code", 2)
    top = (1 << input_bits) - 1
    if codes.size and (int(codes.min()) < 0 or int(codes.max()) > top):
        raise TraceError(
            f"{label}: L{i}_input_code holds codes in [{int(codes.min())}, {int(codes.max())}]; "
            f"{input_bits}-bit inputs are codes in [0, {top}]"
        )
    return codes


def _check_layer_keys(archive: NpzArchive, count: int) -> None:
    """Refuse per-layer arrays of layers the table does not have (a table cut short, or the wrong file)."""
    for key in archive.keys():  # noqa: SIM118 - an archive, not a dict
        if key.startswith("L") and key.endswith(_LAYER_KEY_SUFFIXES):
            index = key[1:].split("_", 1)[0]
            if not index.isdigit() or not 1 <= int(index) <= count:
                raise TraceError(f"{archive.path}: array {key!r} belongs to no layer of the {count}-layer network")


def read_npz_traces(
    path: str | Path,
    network_key: str = "network_csv",
    *,
    layers: Sequence[Layer] | None = None,
    check_columns: bool = True,
    weight_bits: int | None = None,
    input_bits: int | None = None,
) -> tuple[list[Layer], list[LayerTrace]]:
    """Layers and traces of an npz trace file, every array checked before any is used.

    With `layers` (a network given separately) the file's own table, when it has one, must agree with it (or with
    another network_csv* table of the file).
    """
    with NpzArchive(path) as archive:
        path = archive.path
        meta = read_meta(archive)
        weight_bits = _bits(meta.weight_bits, weight_bits, "weight_bits", path)
        input_bits = _bits(meta.input_bits, input_bits, "input_bits", path)
        table: list[Layer] | None
        if layers is not None:
            table = _table_for(archive, layers, network_key, meta.names)
        else:
            table = _file_layers(archive, network_key, meta.names)
            if table is None:
                raise TraceError(
                    f"{path}: key {network_key!r} missing (the file holds no layer table); give the network CSV "
                    "(--network)"
                )
        _check_layer_keys(archive, len(table))
        traces = [_layer_trace(archive, i, ly, weight_bits, input_bits, check_columns) for i, ly in enumerate(table)]
    return table, traces


def _layer_trace(
    archive: NpzArchive, index: int, layer: Layer, weight_bits: int, input_bits: int, check_columns: bool
) -> LayerTrace:
    i = index + 1
    label = f"{archive.path}: layer {i}" + (f" ({layer.name})" if layer.name else "")
    codes, negzero = _weight_codes(archive, i, label, weight_bits)
    inputs = _input_codes(archive, i, label, input_bits)
    trace = LayerTrace.from_weight_codes(codes, 2.0 ** -(weight_bits - 1), inputs, input_bits, layer.name, negzero)
    try:
        check_trace(layer, trace, check_columns=check_columns, index=index)
    except TraceError as err:
        raise TraceError(f"{archive.path}: {err}") from None
    return trace
