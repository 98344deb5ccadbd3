"""NeuroSim V2.1's buffers (compat neurosim_v21): their word-line decoder is its older one at every node; a PE's output
buffer is one bit a word narrower than its adder tree's sums."""

from __future__ import annotations

import math

import pytest

from neurocim.arch.pe import ProcessingElement
from neurocim.arch.subarray.subarray import SubArray
from neurocim.circuits.constants import MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.row_decoder import DecoderMode, RowDecoder
from neurocim.circuits.memories.buffer import WIRE_CAP_PER_M, Buffer
from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive

NODES = {32: {}, 22: {"technode": 22, "featuresize": 32e-9, "wireWidth": 32}}
BITS, WIDTH = 128 * 128, 128  # a global-buffer core: 128 lines of 128 bits


def _ctx(node: int, on: bool) -> CircuitContext:
    chip = chip_from_v21_params(NODES[node]).model_dump()
    return CircuitContext.of(derive(ChipConfig.model_validate({**chip, "quirks": {"v21_decoder_sizing": on}})))


def _buffer(node: int, on: bool, sram: bool = False) -> Buffer:
    ctx = _ctx(node, on)
    return Buffer(ctx, BITS, WIDTH, 1, ctx.p.wires.unit_resistance, 1e9, sram)


@pytest.mark.parametrize("node", sorted(NODES))
def test_v21_buffer_decoder_is_drawn_with_a_3x_driver(node):
    """Under the quirk the decoder's gates keep their drawn widths and its driver is 3x minimum at every node;
    without it, V1.4's gates enlarged to the cell height."""
    v21, v14 = _buffer(node, True).wl_decoder, _buffer(node, False).wl_decoder
    tech = _ctx(node, True).tech
    f, pn = tech.feature_size, tech.pn_size_ratio
    assert v21.width_inv == pytest.approx((MIN_NMOS_SIZE * f, pn * MIN_NMOS_SIZE * f))
    assert v21.width_driver == pytest.approx((3 * MIN_NMOS_SIZE * f, 3 * pn * MIN_NMOS_SIZE * f))
    assert v14.width_inv != v21.width_inv and v14.width_driver != v21.width_driver


@pytest.mark.parametrize("node", sorted(NODES))
def test_v21_register_file_line_time_is_its_decoder_and_half_a_clock(node):
    """A register-file line: V2.1's decoder driving the line's DFF width of wire, then half a clock."""
    buffer = _buffer(node, True)
    decoder = RowDecoder(buffer.ctx, DecoderMode.REGULAR_ROW, 7, False, False)
    load = buffer.dff.w_dff * WIDTH * WIRE_CAP_PER_M
    want = decoder.latency(1e20, load, 0.0, 0.0, 1.0, 1.0) + 0.5e-9
    assert buffer.latency(1) == pytest.approx(want, rel=1e-12)
    assert buffer.latency(10) == pytest.approx(10 * want, rel=1e-12)
    assert buffer.latency(1) != pytest.approx(_buffer(node, False).latency(1), rel=1e-3)


def test_v21_sram_buffer_decoder_sees_no_word_line_resistance():
    on, off = _buffer(22, True, sram=True), _buffer(22, False, sram=True)
    assert on.latency(1) > 0 and on.latency(1) != off.latency(1)
    assert on.energy(WIDTH, 1) > 0 and on.write_latency(1) > 0


def _pe(**params) -> ProcessingElement:
    chip = chip_from_v21_params({"numRowSubArray": 64, "numColSubArray": 64}).model_dump()
    ctx = CircuitContext.of(derive(ChipConfig.model_validate({**chip, "quirks": params})))
    p = ctx.p
    return ProcessingElement(ctx, SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9),
                             4, 4, False, 1e9)  # fmt: skip


def test_v21_pe_output_buffer_is_one_bit_a_word_narrower_than_the_adder_trees_sums():
    """V2.1 sizes a PE's output buffer for log2 levels + input bits + columns per weight + adder-tree stages per word
    (the adder tree's sums carry one bit more): fewer DFFs, so less area, leakage and clocking energy per access."""
    v21, faithful = _pe(), _pe(v21_pe_output_buffer_drops_bit=False)
    p = v21.ctx.p
    words = p.chip.array.cols // p.cols_muxed
    sums = v21.adder_tree.num_adder_bit + v21.adder_tree.num_stage  # the adder tree's output width
    assert v21.adder_tree.num_stage == math.ceil(math.log2(4))
    assert faithful.buffer_output.num_dff == words * sums
    assert v21.buffer_output.num_dff == words * (sums - 1)
    assert v21.buffer_input.num_dff == faithful.buffer_input.num_dff
    access = (100, 1, False)
    assert v21.buffer_output.energy(*access) < faithful.buffer_output.energy(*access)
    assert v21.buffer_output.leakage < faithful.buffer_output.leakage
