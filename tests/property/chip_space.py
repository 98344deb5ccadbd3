"""Hypothesis strategies for plausible chips and a tiny two-layer workload to estimate them on."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from neurocim.config.chip import SUPPORTED_NODES_NM
from neurocim.workload.network import Layer
from neurocim.workload.traces import LayerTrace

ARRAY_SIZES = (8, 9, 16, 24, 31, 32, 64, 100, 128, 256, 512)


def _optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


def _rarely(draw: st.DrawFn) -> bool:
    """True about one draw in ten: a sometimes-refused corner next to the mostly valid space."""
    return draw(st.sampled_from([True] + [False] * 9))


@st.composite
def technology(draw: st.DrawFn, cell_type: str) -> dict:
    envm_nodes = [n for n in SUPPORTED_NODES_NM if n >= 22]
    nodes = envm_nodes if cell_type != "sram" and not _rarely(draw) else SUPPORTED_NODES_NM
    node = draw(st.sampled_from(nodes))
    roadmap = draw(st.sampled_from(["hp", "lstp"])) if node > 14 else "lstp"
    temperature = draw(st.sampled_from([300, 300, 350, 400])) if node > 14 else 300
    return {"node_nm": node, "roadmap": roadmap, "temperature_k": temperature}


@st.composite
def cell(draw: st.DrawFn, kind: str, weight_bits: int) -> dict:
    access = draw(st.sampled_from(["bjt", "diode"])) if _rarely(draw) else draw(st.sampled_from(["cmos", "none"]))
    out: dict = {"type": kind, "access": access}
    if kind != "sram":
        out["bits_per_cell"] = draw(st.integers(1, min(weight_bits, 8)))
        out["r_on_ohm"] = draw(st.sampled_from([6e3, 20e3, 100e3, 240e3, 1e6]))
        out["on_off_ratio"] = draw(st.sampled_from([2.0, 10.0, 17.0, 100.0, 1000.0]))
    out["read_voltage_v"] = draw(_optional(st.sampled_from([0.1, 0.3, 0.5, 1.0])))
    out["read_pulse_width_s"] = draw(st.sampled_from([1e-9, 10e-9, 100e-9]))
    out["write_voltage_v"] = draw(st.sampled_from([1.0, 2.0, 3.0]))
    out["min_sense_voltage_v"] = draw(st.sampled_from([0.01, 0.1, 0.2]))
    out["height_f"] = draw(_optional(st.sampled_from([2.0, 4.0, 10.0])))
    out["width_f"] = draw(_optional(st.sampled_from([2.0, 12.0, 28.0])))
    return out


@st.composite
def array(draw: st.DrawFn) -> dict:
    rows = draw(st.sampled_from(ARRAY_SIZES))
    cols = draw(st.sampled_from(ARRAY_SIZES))
    return {
        "rows": rows,
        "cols": cols,
        "parallel_rows": draw(_optional(st.integers(1, rows))),
        "read_mode": draw(st.sampled_from(["parallel", "parallel", "sequential"])),
        "cols_per_adc": draw(st.one_of(st.sampled_from([c for c in (1, 2, 4, 8) if c <= cols]), st.integers(1, cols))),
        "relax_cell_height": draw(st.booleans()),
        "relax_cell_width": draw(st.booleans()),
    }


@st.composite
def adc(draw: st.DrawFn) -> dict:
    return {
        "type": draw(st.sampled_from(["flash", "sar"])),
        "sense_mode": draw(st.sampled_from(["current", "voltage"])),
        "bits": draw(st.integers(1, 9)),
        "dummy_column_shared": draw(_optional(st.sampled_from([1, 4, 32]))),
    }


@st.composite
def chip_tree(draw: st.DrawFn) -> dict:
    """A chip configuration tree: every section, values a researcher might plausibly write."""
    weight_bits = draw(st.integers(1, 10))
    cell_type = draw(st.sampled_from(["sram", "rram", "fefet"]))
    htree = draw(st.booleans())
    tree = {
        "technology": draw(technology(cell_type)),
        "cell": draw(cell(cell_type, weight_bits)),
        "array": draw(array()),
        "adc": draw(adc()),
        "precision": {"weight_bits": weight_bits, "input_bits": draw(st.integers(1, 10))},
        "mapping": draw(st.sampled_from(["novel", "conventional"])),
        "strict_floorplan": _rarely(draw),
        "compat": draw(st.sampled_from(["none", "neurosim_v14"])),
        "pipeline": {"enabled": draw(st.booleans()), "speedup_degree": draw(st.sampled_from([1, 2, 8, 64]))},
        "clock": {
            "synchronous": draw(st.booleans()),
            "max_frequency_hz": draw(st.sampled_from([1e7, 1e8, 1e9, 5e9])),
        },
        "buffers": {
            "global_type": draw(st.sampled_from(["register_file", "sram"])),
            "tile_type": draw(st.sampled_from(["register_file", "sram"])),
            "pe_type": draw(st.sampled_from(["register_file", "sram"])),
            "global_core_rows": draw(st.sampled_from([8, 32, 128, 512])),
            "global_core_cols": draw(st.sampled_from([8, 32, 128, 512])),
            "tile_core_rows": draw(st.sampled_from([8, 32, 128])),
            "tile_core_cols": draw(st.sampled_from([8, 32, 128])),
        },
        "interconnect": {
            "global_bus": "htree" if htree else "xy_bus",
            "global_delay_tolerance": draw(st.sampled_from([0.0, 0.1, 0.5, 2.0])),
            "local_delay_tolerance": draw(st.sampled_from([0.0, 0.1, 0.5, 2.0])),
            "tree_folded_ratio": draw(st.sampled_from([1.0, 4.0, 8.0])),
            "max_global_bus_width": draw(st.sampled_from([64, 512, 2048, 8192])),
            "input_toggle": draw(st.sampled_from([0.0, 0.18, 1.0])),
            "output_toggle": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "sync_data_transfer": False,
        },
        "activation": {
            "place": draw(st.sampled_from(["chip", "tile"])),
            "function": draw(st.sampled_from(["relu", "sigmoid"])),
            "sigmoid_lut": draw(st.sampled_from(["sram", "rram"])),
        },
        "calibration": {
            "validated": draw(st.booleans()),
            "alpha": draw(st.sampled_from([1.0, 1.44])),
            "beta": draw(st.sampled_from([1.0, 1.4, 3.0])),
            "gamma": draw(st.sampled_from([0.5, 1.0])),
            "delta": draw(st.sampled_from([0.15, 1.0])),
            "epsilon": draw(st.sampled_from([0.05, 1.0])),
            "zeta": draw(st.sampled_from([1.0, 1.22])),
        },
        "sizing": {
            "mux_driver_factor": draw(_optional(st.sampled_from([1.0, 10.0, 110.0]))),
            "wl_decoder_factor": draw(_optional(st.sampled_from([1.0, 4.0]))),
            "switch_matrix_ratio": draw(_optional(st.sampled_from([0.05, 0.2, 1.0]))),
            "new_switch_matrix_ratio": draw(_optional(st.sampled_from([1.0, 6.0, 14.0]))),
            "special_layout": draw(st.booleans()),
            **draw(repeaters()),
        },
    }
    if htree and draw(st.booleans()):
        tree.update(draw(sync_transfer(tree)))
    return tree


@st.composite
def repeaters(draw: st.DrawFn) -> dict:
    """Word-line repeaters: the node default, none, or a count with a size (rarely a count without one)."""
    count = draw(_optional(st.integers(0, 4)))
    size = None if count is None else draw(st.sampled_from([0.5, 1.0, 3.0, 10.0]))
    if _rarely(draw):
        size = draw(st.sampled_from([None, 0.0]))
    return {"wl_repeaters": count, "wl_repeater_size": size}


@st.composite
def sync_transfer(draw: st.DrawFn, tree: dict) -> dict:
    """Synchronous data transfer with what it needs (rarely with one requirement missing)."""
    out = {
        "interconnect": {**tree["interconnect"], "sync_data_transfer": True},
        "activation": {**tree["activation"], "place": "chip"},
        "mapping": "novel",
        "pipeline": {**tree["pipeline"], "enabled": True},
        "clock": {**tree["clock"], "synchronous": True},
        "buffers": {**tree["buffers"], "global_type": "register_file"},
    }
    if _rarely(draw):
        out["mapping"] = "conventional"
    return out


def tiny_network() -> list[Layer]:
    """A small conv (with pooling) feeding an FC layer: every part of the hierarchy, a few hundred MACs."""
    return [
        Layer(ifm_h=6, ifm_w=6, in_channels=3, kernel_h=3, kernel_w=3, out_channels=8, pooled=True, name="conv"),
        Layer(ifm_h=1, ifm_w=1, in_channels=32, kernel_h=1, kernel_w=1, out_channels=10, name="fc"),
    ]


def computed_windows(layer: Layer) -> int:
    """Windows the network computes (padded 'same' convolution); NeuroSim's count (compat) reads the first ones."""
    return layer.ifm_h * layer.ifm_w // (layer.stride * layer.stride)


def random_traces(layers: list[Layer], input_bits: int, seed: int) -> list[LayerTrace]:
    """Uniform weights in [-1, 1] and uniform input codes, one column per window computed."""
    rng = np.random.default_rng(seed)
    traces = []
    for layer in layers:
        weights = rng.uniform(-1.0, 1.0, size=(layer.rows, layer.out_channels))
        codes = rng.integers(0, 1 << input_bits, size=(layer.rows, computed_windows(layer)), dtype=np.int64)
        traces.append(LayerTrace(weights, codes, input_bits, name=layer.name))
    return traces
