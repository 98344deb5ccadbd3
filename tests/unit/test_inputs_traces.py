"""Corrupt or odd trace files and network tables: refused with the file and the fault named, or read exactly."""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurocim.errors import InputError
from neurocim.workload.network import Layer, WorkloadError, load_network_csv, network_to_array
from neurocim.workload.trace_csv import read_input_csv, read_weight_csv
from neurocim.workload.trace_files import load_traces, load_traces_npz, save_traces_npz
from neurocim.workload.traces import LayerTrace, TraceError

LAYERS = [Layer(4, 4, 2, 3, 3, 3, name="conv1"), Layer(1, 1, 3, 1, 1, 2, name="fc")]


def _traces() -> list[LayerTrace]:
    rng = np.random.default_rng(0)
    out = []
    for layer in LAYERS:
        codes = rng.integers(-128, 129, (layer.rows, layer.out_channels)).astype(np.int16)
        inputs = rng.integers(0, 256, (layer.rows, layer.num_windows), dtype=np.uint8)
        out.append(LayerTrace.from_weight_codes(codes, 2.0**-7, inputs, 8, layer.name))
    return out


TRACES = _traces()


def _arrays() -> dict[str, np.ndarray]:
    """The arrays of a valid trace file of LAYERS (as save_traces_npz writes them)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        save_traces_npz(Path(folder) / "t.npz", LAYERS, TRACES)
        buffer.write((Path(folder) / "t.npz").read_bytes())
    with np.load(io.BytesIO(buffer.getvalue())) as z:
        return {k: z[k] for k in z.files}


ARRAYS = _arrays()


def _save(path: Path, arrays: dict[str, np.ndarray], compressed: bool = True) -> Path:
    with path.open("wb") as f:
        (np.savez_compressed if compressed else np.savez)(f, **arrays)
    return path


def _same_as_written(layers: list[Layer], traces: list[LayerTrace]) -> bool:
    return layers == LAYERS and all(
        np.array_equal(a.weights, b.weights) and np.array_equal(a.input_codes, b.input_codes)
        for a, b in zip(traces, TRACES, strict=True)
    )


def _meta(**changes) -> np.ndarray:
    meta = json.loads(str(ARRAYS["meta_json"]))
    meta.update(changes)
    return np.array(json.dumps(meta))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meta_json": _meta(wl_weight=0)}, r"meta_json\.wl_weight=0 must be an integer in 1\.\.16"),
        ({"meta_json": _meta(wl_activate=True)}, r"meta_json\.wl_activate=True must be an integer"),
        ({"meta_json": _meta(wl_weight=8.5)}, r"meta_json\.wl_weight=8\.5"),
        ({"meta_json": _meta(layers=5)}, r"meta_json\.layers must be a list of objects"),
        ({"meta_json": _meta(layers=[{"hook_name": "a"}])}, "meta_json lists 1 layers, network_csv has 2 rows"),
        ({"meta_json": _meta(layers=[{"hook_name": "../x"}, {}])}, r"hook_name='\.\./x'"),
        ({"meta_json": np.array("{not json")}, "meta_json is not valid JSON"),
        ({"meta_json": np.array("[1, 2]")}, "meta_json must be a JSON object, got list"),
        ({"meta_json": np.array('{"wl_weight": NaN}')}, "meta_json is not valid JSON"),
        ({"meta_json": np.zeros(3)}, "meta_json must be one text value"),
        ({"network_csv": np.zeros((2, 8), np.int64)}, "network_csv: network table row 0: field ifm_h must be positive"),
        ({"network_csv": np.ones((2, 5), np.int64)}, r"shape \(N, 8\) or \(N, 7\)"),
        ({"network_csv": np.array(["a", "b"])}, "network_csv must be a 2-D numeric table"),
        ({"L1_weight": ARRAYS["L1_weight"].astype(np.float32)}, "L1_weight must be a 2-D integer array, got float32"),
        ({"L1_weight": ARRAYS["L1_weight"][:, :2]}, r"layer 1 \(conv1\): weights have shape \(18, 2\)"),
        ({"L1_weight": ARRAYS["L1_weight"].astype(np.int16) * 4}, r"L1_weight holds codes in \[.*\]; 8-bit weights"),
        ({"L1_weight_negzero_idx": np.array([-1], np.int32)}, r"L1_weight_negzero_idx holds indices in \[-1, -1\]"),
        ({"L1_weight_negzero_idx": np.array([10**6], np.int64)}, "allowed 0..53"),
        ({"L1_weight_negzero_idx": np.array([[0]], np.int32)}, "must be a 1-D integer array"),
        ({"L2_input_code": np.negative(ARRAYS["L2_input_code"].astype(np.int16))}, r"L2_input_code holds codes in \[-"),
        ({"L2_input_code": ARRAYS["L2_input_code"].astype(np.uint16) + 256}, r"8-bit inputs are codes in \[0, 255\]"),
        ({"L2_input_code": ARRAYS["L2_input_code"].astype(bool)}, "must be a 2-D integer array, got bool"),
        ({"L2_input_code": ARRAYS["L2_input_code"][:, :0]}, r"input_codes have shape \(3, 0\)"),
        ({"L3_weight": ARRAYS["L1_weight"]}, "array 'L3_weight' belongs to no layer of the 2-layer network"),
        ({"L1_weight": np.array([object()], dtype=object)}, "holds Python objects"),
    ],
)
def test_each_bad_array_is_refused_naming_file_and_fault(tmp_path, changes, message):
    arrays = {**ARRAYS, **changes}
    path = _save(tmp_path / "bad.npz", {k: v for k, v in arrays.items() if v is not None}, compressed=False)
    with pytest.raises(TraceError, match=message) as err:
        load_traces_npz(path)
    assert str(path) in str(err.value)


def test_missing_arrays_and_tables(tmp_path):
    for key in ("L2_weight", "L1_input_code"):
        path = _save(tmp_path / f"no_{key}.npz", {k: v for k, v in ARRAYS.items() if k != key})
        with pytest.raises(TraceError, match=f"key '{key}' missing"):
            load_traces_npz(path)
    bare = _save(tmp_path / "bare.npz", {k: v for k, v in ARRAYS.items() if k != "network_csv"})
    with pytest.raises(TraceError, match=r"holds no layer table\); give the network CSV \(--network\)"):
        load_traces_npz(bare)
    assert all(np.array_equal(a.weights, b.weights) for a, b in zip(load_traces(bare, LAYERS), TRACES, strict=True))


def test_a_given_network_must_agree_with_the_files_own_table(tmp_path):
    path = _save(tmp_path / "t.npz", ARRAYS)
    other = [LAYERS[0], Layer(1, 1, 3, 1, 1, 2, pooled=True, name="fc")]
    message = "disagrees with the file's network_csv at layer 2: given 1,1,3,1,1,2,1,1, file 1,1,3,1,1,2,0,1"
    with pytest.raises(TraceError, match=message):
        load_traces(path, other)
    with pytest.raises(TraceError, match="1 layers but 2 traces"):
        load_traces(path, LAYERS[:1])
    assert _same_as_written(LAYERS, load_traces(path, LAYERS))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is not a valid .npz (the file is empty, 0 bytes)"),
        (b"\x80\x04\x95" + bytes(range(256)) * 4, "is not a valid .npz (not a zip archive"),
        (np.lib.format.MAGIC_PREFIX + b"\x01\x00", "is not a valid .npz (not a zip archive"),
    ],
)
def test_files_that_are_not_npz_archives(tmp_path, content, message):
    path = tmp_path / "t.npz"
    path.write_bytes(content)
    with pytest.raises(TraceError, match=re.escape(message)) as err:
        load_traces_npz(path)
    assert "allow_pickle" not in str(err.value)
    with pytest.raises(TraceError, match="is a directory"):
        load_traces_npz(tmp_path)


VALID = (lambda p: _save(p, ARRAYS).read_bytes())(Path(tempfile.mkdtemp()) / "t.npz")
_quick = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _refused_or_exact(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "m.npz"
    path.write_bytes(content)
    try:
        layers, traces = load_traces_npz(path)
    except InputError as err:
        assert str(path) in str(err) and "allow_pickle" not in str(err)
        return
    assert _same_as_written(layers, traces), "a damaged file was read as different traces"


@_quick
@given(cut=st.integers(0, len(VALID) - 1))
def test_truncated_files_are_refused(tmp_path, cut):
    _refused_or_exact(tmp_path, VALID[:cut])


@_quick
@given(position=st.integers(0, len(VALID) - 1), bit=st.integers(0, 7))
def test_bit_flips_are_refused_or_harmless(tmp_path, position, bit):
    damaged = bytearray(VALID)
    damaged[position] ^= 1 << bit
    _refused_or_exact(tmp_path, bytes(damaged))


@_quick
@given(data=st.binary(min_size=0, max_size=300))
def test_random_bytes_are_refused(tmp_path, data):
    _refused_or_exact(tmp_path, data)


NETWORK_TEXT = "".join(",".join(str(v) for v in row) + "\n" for row in network_to_array(LAYERS))


def _strict_rows(text: str) -> list[tuple[int, ...]]:
    """An independent reading of a network CSV: rows of 7 or 8 integral numbers."""
    rows = []
    for line in text.splitlines():
        if line.strip():
            assert all(set(c.strip(" \t\r")) <= set("0123456789.+-eE") for c in line.split(","))
            values = [float(c) for c in line.split(",")]
            assert all(v.is_integer() for v in values)
            rows.append(tuple(int(v) for v in values) + ((1,) if len(values) == 7 else ()))
    return rows


@_quick
@given(position=st.integers(0, len(NETWORK_TEXT) - 1), byte=st.integers(0, 255))
def test_network_csv_mutations_are_refused_or_read_as_written(tmp_path, position, byte):
    data = bytearray(NETWORK_TEXT.encode())
    data[position] = byte
    path = tmp_path / "net.csv"
    path.write_bytes(bytes(data))
    try:
        layers = load_network_csv(path)
    except WorkloadError as err:
        assert str(path) in str(err)
        return
    assert [layer.as_row() for layer in layers] == _strict_rows(bytes(data).decode())


INPUT_TEXT = "0,1,1,0,1,0,0,1\n1,1,0,0,1,1,0,0\n"


@_quick
@given(position=st.integers(0, len(INPUT_TEXT) - 1), byte=st.integers(0, 255))
def test_input_csv_mutations_are_refused_or_read_as_written(tmp_path, position, byte):
    data = bytearray(INPUT_TEXT.encode())
    data[position] = byte
    path = tmp_path / "input.csv"
    path.write_bytes(bytes(data))
    try:
        codes = read_input_csv(path, 4)
    except TraceError as err:
        assert str(path) in str(err)
        return
    lines = [line for line in bytes(data).decode().splitlines() if line.strip()]
    assert all(set(c.strip(" \t\r")) <= set("0123456789.+-eE") for line in lines for c in line.split(","))
    bits = [[int(float(c)) for c in line.split(",")] for line in lines]
    assert all(b in (0, 1) for row in bits for b in row)
    expected = [[int("".join(map(str, row[i : i + 4])), 2) for i in range(0, len(row), 4)] for row in bits]
    assert codes.tolist() == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "weight file is empty"),
        (b"0.1,nan\n", "holds the character b'n'"),
        (b"0.1,1e400\n", "holds NaN or infinite values"),
        (b"0.1,\xff\n", r"weight file holds the character b'\\xff' \(line 1\)"),
        (b"0.1,0.2\n# 0.3,0.4\n", r"holds the character b'#' \(line 2\)"),
        (b"0.1,1_0\n", "holds the character b'_'"),
        (b"0.1,0.2\n0.3\n", "not a rectangular numeric matrix"),
    ],
)
def test_bad_weight_files(tmp_path, text, message):
    (tmp_path / "w.csv").write_bytes(text)
    with pytest.raises(TraceError, match=message):
        read_weight_csv(tmp_path / "w.csv")
    with pytest.raises(TraceError, match="is a directory"):
        read_weight_csv(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"\xff\xfe8,8,1\n", "not UTF-8 text"),
        (b"8,8,1,3,3,8,0,1e300\n", "implausibly large"),
        (b"8,8,1,3,3,8,0,nan\n", "field stride is not a number: 'nan'"),
        (b"8,8,1,3,3,1_6,0,1\n", "field out_channels is not a number: '1_6'"),
        (b"8,8,1,3,3,8,2,1\n", "pooled must be 0 or 1"),
        (b"\n\n", "has no layers"),
    ],
)
def test_bad_network_files(tmp_path, text, message):
    (tmp_path / "n.csv").write_bytes(text)
    with pytest.raises(WorkloadError, match=message):
        load_network_csv(tmp_path / "n.csv")
    with pytest.raises(WorkloadError, match="is a directory"):
        load_network_csv(tmp_path)


DENSENET = Path(__file__).resolve().parents[3] / "shared/reference/neurosim_v14/traces/densenet40_seed0.npz"


@pytest.mark.skipif(not DENSENET.is_file(), reason="../shared not available")
def test_a_network_may_match_a_corrected_table_of_the_file():
    path = DENSENET
    fixed, traces = load_traces_npz(path, "network_csv_fixed_cout")
    assert [t.weights.shape for t in load_traces(path, fixed)] == [t.weights.shape for t in traces]
