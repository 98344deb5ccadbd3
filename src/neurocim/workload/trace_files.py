"""Trace files: layers and traces read from and written to an npz in the reference layout or NeuroSim CSVs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from neurocim.report.outputs import atomic_path
from neurocim.workload.network import Layer, default_layer_name, network_to_array
from neurocim.workload.trace_csv import load_traces_csv_folder
from neurocim.workload.trace_npz import read_npz_traces
from neurocim.workload.traces import LayerTrace, TraceError, weights_to_ints


def load_traces_npz(
    path: str | Path,
    network_key: str = "network_csv",
    *,
    check_columns: bool = True,
    weight_bits: int | None = None,
    input_bits: int | None = None,
) -> tuple[list[Layer], list[LayerTrace]]:
    """Layers and traces from an npz in the reference layout (network_csv, L{i}_weight, L{i}_input_code, ...).

    Every array is checked (presence, dtype, shape against its layer, value range) before it is used."""
    return read_npz_traces(
        path, network_key, check_columns=check_columns, weight_bits=weight_bits, input_bits=input_bits
    )


def save_traces_npz(
    path: str | Path,
    layers: Sequence[Layer],
    traces: Sequence[LayerTrace],
    *,
    weight_bits: int = 8,
    extra: Mapping[str, np.ndarray] | None = None,
) -> None:
    """Write layers and traces in the reference npz layout (compressed); `extra` adds arrays verbatim.

    meta_json records the precisions and the layer names (load_traces_npz reads them back).
    """
    if len(layers) != len(traces):
        raise TraceError(f"{len(layers)} layers but {len(traces)} traces")
    meta = {
        "wl_weight": weight_bits,
        "wl_activate": traces[0].input_bits if traces else 8,
        "layers": [{"hook_name": layer.name} for layer in layers],
    }
    arrays: dict[str, np.ndarray] = {"network_csv": network_to_array(layers), "meta_json": np.array(json.dumps(meta))}
    for i, trace in enumerate(traces, start=1):
        label = trace.name or default_layer_name(i - 1)
        arrays[f"L{i}_weight"] = weights_to_ints(trace.weights, weight_bits, label)
        flat = trace.weights.reshape(-1)
        arrays[f"L{i}_weight_negzero_idx"] = np.flatnonzero((flat == 0) & np.signbit(flat)).astype(np.int32)
        arrays[f"L{i}_input_code"] = trace.input_codes
    arrays.update(extra or {})
    with atomic_path(path, "trace file") as temp, temp.open("wb") as f:
        np.savez_compressed(f, allow_pickle=False, **arrays)


def load_traces(
    source: str | Path, layers: Sequence[Layer], input_bits: int = 8, *, check_columns: bool = True
) -> list[LayerTrace]:
    """Traces of `layers` from an npz file (reference layout) or a folder of NeuroSim CSV trace files."""
    source = Path(source)
    if source.is_dir():
        return load_traces_csv_folder(source, layers, input_bits, check_columns=check_columns)
    # the file's own layer table, when it has one, must agree with `layers`
    _, traces = read_npz_traces(source, layers=layers, check_columns=check_columns, input_bits=input_bits)
    return traces
