"""Accuracy vs ADC precision on the digits CNN: the knee is where it should be; CSV and PNG outputs."""

from __future__ import annotations

import pytest

from neurocim.accuracy import build_data, build_network
from neurocim.config.io import ConfigError
from neurocim.config.run import load_config
from neurocim.explore.accuracy_sweep import plot_sweep, read_sweep_csv, sweep_accuracy, sweep_configs, write_sweep_csv
from neurocim.nn import evaluate

# Ideal devices (one deterministic draw), 150 of the 450 test digits.
CONFIG = {"accuracy": {"devices": {"d2d_sigma": 0.0}}, "data": {"test_samples": 150, "batch_size": 75}}
ADC_BITS = (1, 3, 6, 8)


@pytest.fixture(scope="module")
def points():
    return sweep_accuracy(CONFIG, ADC_BITS, rows=[128], cell_bits=[1], progress=False)


def test_one_bit_cells_collapse_at_low_adc_precision_and_recover_by_six_bits(points):
    # measured (150 images): float 99.3 %; ADC 1/2/3 bits 14.7/22.0/36.0 %, 4 bits 95.3 %, 6-8 bits 98.7 %
    acc = {p.adc_bits: p.accuracy_mean for p in points}
    base = points[0].float_accuracy
    assert base > 0.97 and all(p.float_accuracy == base for p in points)
    assert acc[1] <= 0.5 and acc[3] <= 0.5
    assert acc[6] >= base - 0.03 and acc[8] >= base - 0.03
    assert acc[8] - acc[3] > 0.4
    assert [(p.rows, p.cell_bits, p.adc_bits) for p in points] == [(128, 1, b) for b in ADC_BITS]


def test_shared_calibration_gives_what_a_separate_evaluation_gives(points):
    # the 6-bit point reused the ranges calibrated for the 1-bit point
    cfg = load_config(CONFIG)
    variant = next(v for r, c, b, v in sweep_configs(cfg, [6]))
    data = build_data(cfg.data)
    alone = evaluate(build_network(cfg.model), data.test, variant, calibration=data.calibration, progress=False)
    assert alone.accuracies[0] == next(p.accuracy_mean for p in points if p.adc_bits == 6)


def test_csv_and_png(points, tmp_path):
    write_sweep_csv(points, tmp_path / "s.csv")
    assert read_sweep_csv(tmp_path / "s.csv") == points
    header = (tmp_path / "s.csv").read_text().splitlines()[0]
    assert header.startswith("rows,cell_bits,adc_bits,float_accuracy,accuracy_mean,accuracy_std")
    plot_sweep(points, tmp_path / "s.png")
    png = (tmp_path / "s.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_every_point_is_validated_before_anything_runs():
    cfg = load_config(CONFIG)
    combos = [(r, c, b) for r, c, b, _ in sweep_configs(cfg, [2, 4], rows=[64, 128], cell_bits=[1, 2])]
    assert combos == [(r, c, b) for r in (64, 128) for c in (1, 2) for b in (2, 4)]
    with pytest.raises(ConfigError, match=r"rows=128, cell_bits=3, adc_bits=2: .*bits_per_cell=3 does not divide"):
        sweep_configs(cfg, [2], cell_bits=[1, 3])
    with pytest.raises(ConfigError, match=r"adc_bits=13: .*chip\.adc\.bits"):
        sweep_configs(cfg, [13])
    with pytest.raises(ValueError, match="adc_bits is empty"):
        sweep_configs(cfg, [])
