"""Report plots: three valid PNGs, clear errors, and plotted stacks that add up to the report's chip values."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread

from neurocim.config.io import load_chip_config
from neurocim.estimate import estimate
from neurocim.report.plots import (
    ENERGY_UNITS,
    LEAKAGE,
    STACK_PARTS,
    TIME_UNITS,
    UNASSIGNED,
    _thin_layer_ticks,
    breakdown_tables,
    display_unit,
    plot_report,
)
from neurocim.report.records import AREA_COMPONENTS, Breakdown, Report
from neurocim.workload.network import load_network_csv
from neurocim.workload.trace_files import load_traces

CHIP = "src/neurocim/examples/chip_sram_22nm.yaml"
REL = 1e-12


def _estimate(pipeline: bool) -> Report:
    base = load_chip_config(CHIP)
    config = base.model_copy(update={"pipeline": base.pipeline.model_copy(update={"enabled": pipeline})})
    layers = load_network_csv("tests/data/vgg8_network.csv")
    return estimate(config, layers, load_traces("tests/data/vgg8_traces.npz", layers, config.precision.input_bits))


@pytest.fixture(scope="module")
def pipelined() -> Report:
    return _estimate(True)


@pytest.fixture(scope="module")
def layer_by_layer() -> Report:
    return _estimate(False)


@pytest.fixture(scope="module")
def written(pipelined, tmp_path_factory):
    out = tmp_path_factory.mktemp("plots") / "not" / "there"  # missing folders are created
    return out, plot_report(pipelined, out, prefix="vgg8_")


def _stack(table, components) -> np.ndarray:
    return np.sum([table.per_layer[c] for c in components], axis=0)


# ---------------------------------------------------------------------------------------------- files
def test_three_pngs_at_the_returned_paths(written):
    out, paths = written
    assert paths == [out / "vgg8_area.png", out / "vgg8_latency.png", out / "vgg8_energy.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        image = imread(path)
        assert image.ndim == 3 and image.shape[2] in (3, 4)
        assert image.shape[0] >= 300 and image.shape[1] >= 600
        rgb = np.round(image[::2, ::2, :3] * 255).astype(np.uint32)
        colours = np.unique(rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2])
        assert len(colours) > 20, f"{path.name} is (nearly) one colour"
    area, latency, energy = (imread(p) for p in paths)
    assert latency.shape[1] > area.shape[1] and energy.shape[1] > area.shape[1]  # two panels


def test_no_figure_is_left_open(written):
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []


def test_many_layers_widen_the_figure_and_thin_the_labels(pipelined, written, tmp_path):
    layers = [dataclasses.replace(pipelined.layers[i % 8], layer=i + 1) for i in range(60)]
    big = Report(chip=pipelined.chip, layers=layers)  # same slowest stage, so still a consistent pipeline
    paths = plot_report(big, tmp_path)
    assert [p.name for p in paths] == ["area.png", "latency.png", "energy.png"]
    assert imread(paths[1]).shape[1] > imread(written[1][1]).shape[1]
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    names = tuple(f"L{i}" for i in range(1, 61))
    _thin_layer_ticks(ax, names)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [f"L{i}" for i in range(1, 61, 2)]
    assert ax.get_xticklabels()[0].get_rotation() == 90


# --------------------------------------------------------------------------------------------- errors
def test_out_dir_that_is_a_file_is_refused(pipelined, tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("x")
    with pytest.raises(ValueError, match=r"out_dir '.*report\.txt' exists and is not a directory"):
        plot_report(pipelined, target)
    with pytest.raises(ValueError, match=r"prefix 'a/b_' must be a file-name prefix"):
        plot_report(pipelined, tmp_path, prefix="a/b_")


def test_inconsistent_reports_are_refused(pipelined):
    with pytest.raises(ValueError, match="report.layers is empty"):
        breakdown_tables(Report(chip=pipelined.chip, layers=[]))
    bad = Breakdown(adc=1.0, accumulation=1.0, other=1.0, buffer=0.7, interconnect=0.7)
    layers = list(pipelined.layers)
    layers[2] = dataclasses.replace(layers[2], energy_breakdown_j=bad)
    with pytest.raises(ValueError, match=r"layers\[layer=3\]\.energy_breakdown_j: buffer \+ interconnect \(1\.4\)"):
        breakdown_tables(Report(chip=pipelined.chip, layers=layers))
    chip = dataclasses.replace(pipelined.chip, latency_s=pipelined.chip.latency_s * 1.5)
    with pytest.raises(ValueError, match=r"chip\.latency_s=.* is neither the sum .* nor the maximum"):
        breakdown_tables(Report(chip=chip, layers=pipelined.layers))


# ----------------------------------------------------------------------------------- plotted numbers
def test_energy_stacks_add_up_to_the_chip_energy(pipelined):
    table = breakdown_tables(pipelined)["energy"]
    chip = pipelined.chip
    assert table.components == STACK_PARTS + (LEAKAGE,) and table.chip_rule == "sum"
    dynamic = _stack(table, STACK_PARTS)
    for i, layer in enumerate(pipelined.layers):
        assert dynamic[i] == pytest.approx(layer.dynamic_energy_j, rel=REL)
        assert table.per_layer[LEAKAGE][i] == layer.leakage_energy_j
    for c in table.components:
        assert table.chip[c] == pytest.approx(table.per_layer[c].sum(), rel=REL)
        assert min(table.per_layer[c]) >= 0.0
    parts = chip.energy_breakdown_j
    for c in ("adc", "accumulation", "buffer", "interconnect"):
        assert table.chip[c] == pytest.approx(getattr(parts, c), rel=REL)
    split = table.chip["other logic"] + table.chip["buffer"] + table.chip["interconnect"]
    assert split == pytest.approx(parts.other, rel=REL)
    assert table.chip[LEAKAGE] == pytest.approx(chip.leakage_energy_j, rel=REL)
    assert sum(table.chip.values()) == pytest.approx(chip.dynamic_energy_j + chip.leakage_energy_j, rel=REL)
    assert table.chip_total == chip.dynamic_energy_j + chip.leakage_energy_j
    assert table.layer_names == tuple(f"layer{i}" for i in range(1, 9))  # the network CSV's default names


def test_pipelined_latency_is_the_slowest_stage_and_each_part_its_maximum(pipelined):
    table = breakdown_tables(pipelined)["latency"]
    chip = pipelined.chip
    assert table.components == STACK_PARTS and table.chip_rule == "max"
    stacks = _stack(table, STACK_PARTS)
    for i, layer in enumerate(pipelined.layers):
        assert stacks[i] == pytest.approx(layer.latency_s, rel=REL)
    assert stacks.max() == pytest.approx(chip.latency_s, rel=REL) and table.chip_total == chip.latency_s
    for c in STACK_PARTS:
        assert table.chip[c] == table.per_layer[c].max()
    for c in ("adc", "accumulation", "buffer", "interconnect"):
        assert table.chip[c] == pytest.approx(getattr(chip.latency_breakdown_s, c), rel=REL)
    # the maxima come from different layers: together they exceed the slowest stage (vgg8: by about 0.3 %)
    assert sum(table.chip.values()) > chip.latency_s * (1 + 1e-4)


def test_layer_by_layer_latency_parts_add_up_to_the_chip_latency(layer_by_layer):
    table = breakdown_tables(layer_by_layer)["latency"]
    chip = layer_by_layer.chip
    assert table.chip_rule == "sum"
    stacks = _stack(table, STACK_PARTS)
    for i, layer in enumerate(layer_by_layer.layers):
        assert stacks[i] == pytest.approx(layer.latency_s, rel=REL)
    assert sum(table.chip.values()) == pytest.approx(chip.latency_s, rel=REL)
    parts = chip.latency_breakdown_s
    for c in ("adc", "accumulation", "buffer", "interconnect"):
        assert table.chip[c] == pytest.approx(getattr(parts, c), rel=REL)
    split = table.chip["other logic"] + table.chip["buffer"] + table.chip["interconnect"]
    assert split == pytest.approx(parts.other, rel=REL)


def test_area_parts_and_the_unassigned_rest_add_up_to_the_chip_area(pipelined):
    table = breakdown_tables(pipelined)["area"]
    chip = pipelined.chip
    assert table.components == AREA_COMPONENTS + (UNASSIGNED,) and table.per_layer == {}
    for c in AREA_COMPONENTS:
        assert table.chip[c] == getattr(chip.area_breakdown_m2, c)
    assert sum(table.chip.values()) == pytest.approx(chip.area_m2, rel=REL) and table.chip_total == chip.area_m2
    # tiles are laid out larger than their parts (NeuroSim's floorplan): vgg8 on SRAM 22 nm leaves ~4.7 %
    assert 0.01 < table.chip[UNASSIGNED] / chip.area_m2 < 0.1


@pytest.mark.parametrize(
    ("value", "units", "expected"),
    [
        (1.33e-4, TIME_UNITS, (1e-6, "µs")),
        (2.5e-3, TIME_UNITS, (1e-3, "ms")),
        (7.4e-7, TIME_UNITS, (1e-9, "ns")),
        (3.0, TIME_UNITS, (1.0, "s")),
        (3.8e-5, ENERGY_UNITS, (1e-6, "µJ")),
        (6.9e-7, ENERGY_UNITS, (1e-9, "nJ")),
        (1e-9, ENERGY_UNITS, (1e-9, "nJ")),
        (0.0, ENERGY_UNITS, (1e-12, "pJ")),
    ],
)
def test_display_unit_is_the_largest_that_keeps_the_value_at_least_one(value, units, expected):
    assert display_unit(value, units) == expected
