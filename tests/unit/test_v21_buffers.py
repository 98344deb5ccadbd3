"""NeuroSim V2.1's buffers (compat neurosim_v21): their word-line decoder is its older one at every node."""

from __future__ import annotations

import pytest

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
