"""Workload: network tables, traces, NeuroSim encodings and files, clear errors."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from neurocim.workload.network import (
    Layer,
    WorkloadError,
    load_network_csv,
    network_from_array,
    network_to_array,
    write_network_csv,
)
from neurocim.workload.trace_csv import (
    csv_weight_levels,
    load_traces_csv_folder,
    round_like_csv,
    trace_files_in_folder,
    write_traces_csv_folder,
)
from neurocim.workload.trace_files import load_traces, load_traces_npz, save_traces_npz
from neurocim.workload.traces import LayerTrace, TraceError, check_trace

DATA = Path(__file__).parents[1] / "data"
SHARED_TRACES = Path(__file__).parents[3] / "shared" / "reference" / "neurosim_v14" / "traces"
VGG8_ROWS = [
    (32, 32, 3, 3, 3, 128, 0, 1), (32, 32, 128, 3, 3, 128, 1, 1), (16, 16, 128, 3, 3, 256, 0, 1),
    (16, 16, 256, 3, 3, 256, 1, 1), (8, 8, 256, 3, 3, 512, 0, 1), (8, 8, 512, 3, 3, 512, 1, 1),
    (1, 1, 8192, 1, 1, 1024, 0, 1), (1, 1, 1024, 1, 1, 10, 0, 1),
]  # fmt: skip


@pytest.fixture(scope="module")
def vgg8():
    return load_traces_npz(DATA / "vgg8_traces.npz")


# ---------------------------------------------------------------- network tables


def test_vgg8_network_csv_and_num_in_vector():
    layers = load_network_csv(DATA / "vgg8_network.csv")
    assert [ly.as_row() for ly in layers] == VGG8_ROWS
    assert [ly.num_windows for ly in layers] == [900, 900, 196, 196, 36, 36, 1, 1]
    assert [ly.rows for ly in layers] == [27, 1152, 1152, 2304, 2304, 4608, 8192, 1024]
    assert layers[0].name == "layer1" and layers[1].pooled and not layers[0].pooled
    assert layers[0].macs == 32 * 32 * 27 * 128
    assert layers[0].window_macs == 900 * 27 * 128


def test_num_in_vector_is_computed_in_doubles_then_truncated():
    # ((33-3+1)/2 * (33-3+1)) / 2 = 240.25 -> 240, not floor(31/2)^2 = 225
    assert Layer(33, 33, 3, 3, 3, 8, stride=2).num_windows == 240
    assert Layer(224, 224, 3, 7, 7, 64, True, 2).num_windows == 11881
    assert Layer(56, 56, 64, 1, 1, 128, stride=2).num_windows == 784


def test_network_round_trips(tmp_path):
    layers = network_from_array(np.array(VGG8_ROWS))
    write_network_csv(tmp_path / "net.csv", layers)
    assert (tmp_path / "net.csv").read_text() == (DATA / "vgg8_network.csv").read_text()
    assert load_network_csv(tmp_path / "net.csv") == layers
    assert network_to_array(layers).tolist() == [list(r) for r in VGG8_ROWS]
    write_network_csv(tmp_path / "crlf.csv", layers, newline="\r\n")  # NeuroSim ships CRLF files
    assert load_network_csv(tmp_path / "crlf.csv") == layers


def test_seven_column_form_defaults_stride_to_one(tmp_path):
    (tmp_path / "net.csv").write_text("32,32,3,3,3,64,1\n16,16,64,3,3,64,0\n")
    layers = load_network_csv(tmp_path / "net.csv")
    assert [ly.stride for ly in layers] == [1, 1] and layers[0].pooled
    assert network_from_array(np.array([[32, 32, 3, 3, 3, 64, 1]]))[0].stride == 1


@pytest.mark.parametrize(
    "text, match",
    [
        ("32,32,3,3,3,64,0,1\n32,32,3,3,3\n", r"net\.csv:2: expected 8 columns"),
        ("32,32,3,3,3,64,0,1,9\n", r"net\.csv:1: expected 8 columns"),
        ("32,32,3,3,3,64,0,1\n16,16,x,3,3,64,0,1\n", r"net\.csv:2: field in_channels is not a number"),
        ("32,32,0,3,3,64,0,1\n", r"net\.csv:1: field in_channels must be positive"),
        ("32,32,3,3,3,-4,0,1\n", r"net\.csv:1: field out_channels must be positive"),
        ("32,32,3,3,3,64,0,0\n", r"net\.csv:1: field stride must be positive"),
        ("2,32,3,3,3,64,0,1\n", r"net\.csv:1: field kernel_h \(3\) is larger than ifm_h \(2\)"),
        ("32,2,3,3,3,64,0,1\n", r"net\.csv:1: field kernel_w \(3\) is larger than ifm_w \(2\)"),
        ("32,32,3,3,3,64,2,1\n", r"net\.csv:1: field pooled must be 0 or 1"),
        ("32,32,3.5,3,3,64,0,1\n", r"net\.csv:1: field in_channels must be an integer"),
        ("\n\n", r"net\.csv: network CSV has no layers"),
    ],
)
def test_bad_network_csv_names_file_line_and_field(tmp_path, text, match):
    (tmp_path / "net.csv").write_text(text)
    with pytest.raises(WorkloadError, match=match):
        load_network_csv(tmp_path / "net.csv")


def test_missing_network_file_and_bad_layer(tmp_path):
    with pytest.raises(WorkloadError, match=r"nope\.csv: network CSV not found"):
        load_network_csv(tmp_path / "nope.csv")
    with pytest.raises(WorkloadError, match="conv9.*kernel_h"):
        Layer(4, 4, 3, 5, 5, 8, name="conv9")
    with pytest.raises(WorkloadError, match=r"row 1: field ifm_w must be positive"):
        network_from_array(np.array([[8, 8, 3, 3, 3, 8, 0, 1], [8, 0, 3, 3, 3, 8, 0, 1]]))
    with pytest.raises(WorkloadError, match=r"shape \(N, 8\)"):
        network_from_array(np.zeros((2, 6)))
    assert issubclass(WorkloadError, ValueError) and issubclass(TraceError, WorkloadError)


# ---------------------------------------------------------------- traces and encodings


def test_npz_traces_load_with_expected_shapes(vgg8):
    layers, traces = vgg8
    assert [ly.as_row() for ly in layers] == VGG8_ROWS
    assert [t.name for t in traces] == ["Conv0_", "Conv1_", "Conv3_", "Conv4_", "Conv6_", "Conv7_", "FC0_", "FC1_"]
    assert [t.weights.shape for t in traces][:2] == [(27, 128), (1152, 128)]
    assert [t.num_windows_written for t in traces] == [1024, 1024, 256, 256, 64, 64, 1, 1]
    assert traces[0].weights.dtype == np.float64 and np.abs(traces[0].weights).max() <= 127 / 128


def test_bit_planes_are_window_major_msb_first():
    codes = np.array([[0b10000001, 0b01000000, 5], [255, 0, 128]], dtype=np.uint8)
    trace = LayerTrace(np.zeros((2, 1)), codes, 8)
    planes = trace.input_bit_planes(2)
    assert planes.dtype == np.uint8 and planes.shape == (2, 16)
    assert planes[0].tolist() == [1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    assert planes[1].tolist() == [1] * 8 + [0] * 8
    assert LayerTrace(np.zeros((1, 1)), np.array([[5, 2]]), 3).input_bit_planes().tolist() == [[1, 0, 1, 0, 1, 0]]
    with pytest.raises(TraceError, match="4 windows requested, 3 written"):
        trace.input_bit_planes(4)


def test_bit_density_of_columns_neurosim_reads(vgg8):
    layers, traces = vgg8
    meta = json.loads(str(np.load(DATA / "vgg8_traces.npz")["meta_json"]))["layers"]
    for layer, trace, m in zip(layers, traces, meta, strict=True):
        density = trace.input_bit_planes(layer.num_windows).mean()
        assert density == pytest.approx(m["input_bit_density_used_cols"], rel=1e-12)


def test_weight_levels_follow_load_in_weight_data(vgg8):
    _, traces = vgg8
    for trace in traces[:3]:
        k = np.rint(trace.weights * 128).astype(np.int64)
        assert np.array_equal(trace.weight_levels(8), k + 128)  # [-1, 1] -> [0, 256], half away from zero
    w = np.array([[-1.0, 1.0, 0.0, -0.0, 0.5, -0.00390625, -1.2]])
    levels = LayerTrace(w, np.zeros((1, 1), np.uint8), 8).weight_levels(4)
    # 8 * (w - 1) + 16, +-0.5, truncated toward zero; -0.00390625 -> 7.97 -> 8; -1.2 -> -1.6 - 0.5 -> -2
    assert levels.tolist() == [[0, 16, 8, 8, 12, 8, -2]]


def test_weight_codes_map_like_the_float_weights(vgg8):
    _, traces = vgg8
    assert all(t.weight_codes is not None for t in traces)  # the npz layout stores integer codes

    def digits(w: np.ndarray) -> np.ndarray:  # csv levels split into two 4-bit cells
        levels = csv_weight_levels(w, 8)[:, None]
        return np.concatenate([levels // 16, levels % 16], axis=1)

    for trace in traces[:3]:
        plain = LayerTrace(trace.weights, trace.input_codes, trace.input_bits)
        np.testing.assert_array_equal(trace.map_weights(digits), plain.map_weights(digits))
    codes = np.array([[-128, 0, 0, 127], [5, -1, 0, 64]], dtype=np.int8)
    trace = LayerTrace.from_weight_codes(codes, 2.0**-7, np.zeros((2, 1), np.uint8), 8, negative_zeros=np.array([2]))
    assert trace.weights.tolist() == [[-1.0, 0.0, 0.0, 127 / 128], [5 / 128, -1 / 128, 0.0, 0.5]]
    assert np.signbit(trace.weights.ravel()).tolist() == [True, False, True, False, False, True, False, False]
    np.testing.assert_array_equal(
        trace.weight_levels(8), LayerTrace(trace.weights, trace.input_codes, 8).weight_levels(8)
    )
    wide = np.array([[-(2**30), 2**30]], dtype=np.int32)  # too wide a range for a table: mapped value by value
    trace = LayerTrace.from_weight_codes(wide, 2.0**-31, np.zeros((1, 1), np.uint8), 8)
    assert trace.weight_levels(8).tolist() == [[64, 192]]


@pytest.mark.parametrize(
    "codes, step, match",
    [
        (np.zeros((2, 2)), 0.5, "weight codes must be integers, got float64"),
        (np.zeros((2, 2), np.int8), 0.0, "weight_step must be a positive number, got 0.0"),
        (np.zeros((2, 2), np.int8), float("nan"), "weight_step must be a positive number, got nan"),
    ],
)
def test_bad_weight_codes_are_clear_errors(codes, step, match):
    with pytest.raises(TraceError, match=match):
        LayerTrace.from_weight_codes(codes, step, np.zeros((2, 1), np.uint8), 8, name="fc")


def test_weight_codes_must_match_the_weights():
    with pytest.raises(TraceError, match=r"weight codes have shape \(1, 2\), the weights \(2, 2\)"):
        LayerTrace(np.zeros((2, 2)), np.zeros((2, 1), np.uint8), 8, weight_codes=np.zeros((1, 2), np.int8))


def test_round_like_csv_matches_decimal_formatting():
    rng = np.random.default_rng(0)
    w = np.concatenate([rng.uniform(-1, 1, 5000), np.arange(-256, 257) / 256, np.arange(-64, 65) / 128e3])
    assert np.array_equal(round_like_csv(w), np.array([float(f"{v:10.5f}") for v in w]))


def test_regenerated_csv_files_are_byte_identical_to_the_hook(vgg8, tmp_path):
    layers, traces = vgg8
    meta = json.loads(str(np.load(DATA / "vgg8_traces.npz")["meta_json"]))["layers"]
    picked = [0, 2, 7]
    pairs = write_traces_csv_folder(tmp_path, [traces[i] for i in picked], network_csv="NetWork_VGG8.csv")
    for i, (weight_file, input_file) in zip(picked, pairs, strict=True):
        assert weight_file.name == meta[i]["weight_file"] and input_file.name == meta[i]["input_file"]
        assert hashlib.sha256(weight_file.read_bytes()).hexdigest() == meta[i]["weight_csv_sha256"]
        assert hashlib.sha256(input_file.read_bytes()).hexdigest() == meta[i]["input_csv_sha256"]

    sub = [layers[i] for i in picked]
    back = load_traces_csv_folder(tmp_path, sub)  # order from trace_command.sh
    for i, t in zip(picked, back, strict=True):
        assert np.array_equal(t.input_codes, traces[i].input_codes)
        assert np.array_equal(t.weights, round_like_csv(traces[i].weights))
        assert np.array_equal(t.weight_levels(8), traces[i].weight_levels(8))
    assert [t.name for t in load_traces(tmp_path, sub)] == ["Conv0_", "Conv3_", "FC1_"]
    explicit = [(w.name, i.name) for w, i in pairs]
    assert [t.weights.shape for t in load_traces_csv_folder(tmp_path, sub, 8, files=explicit)] == [
        t.weights.shape for t in back
    ]
    (tmp_path / "trace_command.sh").unlink()
    assert trace_files_in_folder(tmp_path) == pairs  # natural sort of the names: Conv0_, Conv3_, FC1_
    named = [Layer(*ly.as_row()[:6], ly.pooled, ly.stride, name=t.name) for ly, t in zip(sub, back, strict=True)]
    assert trace_files_in_folder(tmp_path, named) == pairs


def test_load_traces_checks_npz_against_the_given_layers(vgg8):
    layers, traces = vgg8
    got = load_traces(DATA / "vgg8_traces.npz", load_network_csv(DATA / "vgg8_network.csv"))
    assert all(np.array_equal(a.input_codes, b.input_codes) for a, b in zip(got, traces, strict=True))
    with pytest.raises(TraceError, match="2 layers but 8 traces"):
        load_traces(DATA / "vgg8_traces.npz", layers[:2])


def test_npz_round_trip_keeps_negative_zero(vgg8, tmp_path):
    layers, traces = vgg8
    save_traces_npz(tmp_path / "t.npz", layers[:2], traces[:2])
    layers2, traces2 = load_traces_npz(tmp_path / "t.npz")
    assert layers2 == layers[:2]  # names and precisions travel in meta_json
    for a, b in zip(traces[:2], traces2, strict=True):
        assert np.array_equal(np.signbit(a.weights), np.signbit(b.weights)) and np.array_equal(a.weights, b.weights)
        assert np.array_equal(a.input_codes, b.input_codes)
    with pytest.raises(TraceError, match="not multiples of 1/2\\^7"):
        save_traces_npz(
            tmp_path / "u.npz", layers[:1], [LayerTrace(traces[0].weights + 1e-3, traces[0].input_codes, 8)]
        )


def _layer(rows_in=3, cout=4, h=4):
    return Layer(h, h, rows_in, 1, 1, cout, name="convX")


@pytest.mark.parametrize(
    "weights, codes, match",
    [
        ((5, 4), (3, 16), r"layer convX: weights have shape \(5, 4\), expected \(3, 4\)"),
        ((3, 2), (3, 16), r"layer convX: weights have shape \(3, 2\), expected \(3, 4\)"),
        ((3, 4), (2, 16), r"layer convX: input_codes have shape \(2, 16\), expected \(3, >= 16\)"),
        ((3, 4), (3, 15), r"layer convX: input_codes have shape \(3, 15\), expected \(3, >= 16\)"),
    ],
)
def test_shape_mismatches_name_layer_array_and_shapes(weights, codes, match):
    trace = LayerTrace(np.zeros(weights), np.zeros(codes, np.uint8), 8)
    with pytest.raises(TraceError, match=match):
        check_trace(_layer(), trace)


def test_column_check_can_be_relaxed():
    trace = LayerTrace(np.zeros((3, 2)), np.zeros((3, 16), np.uint8), 8)
    check_trace(_layer(), trace, check_columns=False)
    with pytest.raises(TraceError, match=r"layer 5 \(convX\)"):
        check_trace(_layer(), trace, index=4)


def test_bad_trace_files_are_clear_errors(tmp_path):
    with pytest.raises(TraceError, match=r"missing\.npz: trace file not found"):
        load_traces_npz(tmp_path / "missing.npz")
    with pytest.raises(TraceError, match="key 'network_csv_fixed_cout' missing"):
        load_traces_npz(DATA / "vgg8_traces.npz", "network_csv_fixed_cout")
    with pytest.raises(TraceError, match="input codes must lie in"):
        LayerTrace(np.zeros((1, 1)), np.array([[256]]), 8)
    (tmp_path / "weightA.csv").write_text("0.1,0.2\n0.3\n")
    (tmp_path / "inputA.csv").write_text("0,1,2,0\n")
    with pytest.raises(TraceError, match=r"weightA\.csv: not a rectangular"):
        load_traces_csv_folder(tmp_path, [Layer(1, 1, 1, 1, 1, 2, name="A")])
    (tmp_path / "weightA.csv").write_text("0.1,0.2\n")
    with pytest.raises(TraceError, match=r"inputA\.csv: input file holds values other than 0 and 1"):
        load_traces_csv_folder(tmp_path, [Layer(1, 1, 1, 1, 1, 2, name="A")], 4)
    (tmp_path / "inputA.csv").write_text("0,1,1\n")
    with pytest.raises(TraceError, match=r"3 columns is not a multiple of 4"):
        load_traces_csv_folder(tmp_path, [Layer(1, 1, 1, 1, 1, 2, name="A")], 4)
    with pytest.raises(TraceError, match="2 layers but 1"):
        load_traces_csv_folder(tmp_path, [Layer(1, 1, 1, 1, 1, 2, name=n) for n in "AB"], 4)


@pytest.mark.skipif(not (SHARED_TRACES / "densenet40_seed0.npz").is_file(), reason="../shared not available")
def test_densenet_shipped_csv_mismatch():
    path = SHARED_TRACES / "densenet40_seed0.npz"
    with pytest.raises(TraceError, match=r"layer 3 \(Conv2_\): weights have shape \(432, 12\), expected \(432, 36\)"):
        load_traces_npz(path)
    layers, _ = load_traces_npz(path, check_columns=False)
    fixed, traces = load_traces_npz(path, "network_csv_fixed_cout")
    assert len(layers) == len(fixed) == 40 and fixed[2].out_channels == 12 and layers[2].out_channels == 36
