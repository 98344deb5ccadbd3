"""The recorded memo: results kept under the values of the settings a computation read, noted as it reads them."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

from neurocim.config.chip import ChipConfig
from neurocim.config.io import load_chip_config
from neurocim.estimate import estimate
from neurocim.workload.prepared import prepare
from neurocim.workload.recorded import ReadRecorder, RecordedMemo
from neurocim.workload.trace_files import load_traces_npz

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "neurocim" / "examples"


@dataclass(frozen=True)
class _Settings:
    a: int
    b: int
    c: int = 0

    @property
    def a_plus_c(self) -> int:
        return self.a + self.c

    def scaled_b(self, k: int) -> int:
        return k * self.b


def test_properties_and_methods_note_the_fields_they_read():
    recorder = ReadRecorder(_Settings(1, 2, 3))
    assert recorder.a_plus_c == 4 and recorder.scaled_b(10) == 20
    assert recorder.names == {"a", "b", "c"}


def test_a_copy_and_a_rebound_recorder_keep_what_was_noted():
    chip = ChipConfig.model_validate({"adc": {"bits": 5}})
    recorder = ReadRecorder(chip)
    assert recorder.adc.bits == 5 and recorder.adc.bits == 5 and recorder.array.rows == chip.array.rows
    copy = pickle.loads(pickle.dumps(recorder))
    assert copy.names == recorder.names == {"adc.bits", "array.rows"} and copy.adc.bits == 5
    other = ChipConfig.model_validate({"adc": {"bits": 5}, "clock": {"max_frequency_hz": 2e8}})
    recorder.rebind(other)  # agrees on every field noted: the section recorders now read the new record
    assert recorder.clock.max_frequency_hz == 2e8 and "clock.max_frequency_hz" in recorder.names
    with pytest.raises(AttributeError, match="read-only"):
        recorder.adc = None


def test_a_record_that_agrees_on_the_fields_read_gets_the_kept_result():
    memo: RecordedMemo[int] = RecordedMemo()
    calls = []

    def compute(s) -> int:
        calls.append(1)
        return s.a * 10 if s.a > 0 else s.b  # reads b only when a <= 0

    assert memo.get(_Settings(1, 5), "x", compute) == 10
    assert memo.get(_Settings(1, 7), "x", compute) == 10  # b was not read: shared
    assert len(calls) == 1
    assert memo.get(_Settings(2, 5), "x", compute) == 20  # a differs: computed
    assert memo.get(_Settings(1, 5), "y", compute) == 10  # other extra key: computed
    assert memo.get(_Settings(0, 5), "x", compute) == 5
    assert memo.get(_Settings(0, 6), "x", compute) == 6  # now b is read: it keys the result
    assert len(calls) == 5


def test_the_memo_is_bounded_oldest_first():
    memo: RecordedMemo[int] = RecordedMemo(size=2)
    for a in (1, 2, 3):
        memo.get(_Settings(a, 0), None, lambda s: s.a)
    assert len(memo) == 2
    calls = []
    memo.get(_Settings(1, 0), None, lambda s: calls.append(1) or s.a)
    assert calls  # the oldest was dropped


def test_chips_that_differ_only_above_the_tiles_share_the_tile_side():
    layers, traces = load_traces_npz(DATA / "vgg8_traces.npz")
    workload = prepare(layers[-2:], traces[-2:])
    base = load_chip_config(EXAMPLES / "chip_sram_22nm.yaml").model_dump(mode="json")
    for bus in ("xy_bus", "htree"):
        for buffer in ("register_file", "sram"):
            variant = {**base, "interconnect": {"global_bus": bus}, "buffers": {"global_type": buffer}}
            estimate(ChipConfig.model_validate(variant), workload)
    assert len(workload.cache.tile_sides) == 1
    estimate(ChipConfig.model_validate({**base, "adc": {"bits": 6}}), workload)  # the tiles read the ADC
    assert len(workload.cache.tile_sides) == 2
