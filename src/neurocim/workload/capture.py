"""Trace capture: what the cost model reads from each CIM layer, recorded in memory during a forward pass."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from neurocim.nn.base import CIMLayer
from neurocim.nn.convert import cim_layers
from neurocim.nn.layers import CIMConv2d
from neurocim.workload.network import Layer
from neurocim.workload.traces import LayerTrace, TraceError, check_traces


@dataclass(frozen=True)
class CapturedLayer:
    """One layer's stored weight codes (R, C) and one image's input codes unrolled into windows (R, windows)."""

    weight_codes: np.ndarray  # offset-binary integers in [0, 2^weight_bits - 1]
    input_codes: np.ndarray  # unsigned integers in [0, 2^input_bits - 1]; signed inputs as two's complement
    weight_bits: int
    input_bits: int

    def trace(self, name: str) -> LayerTrace:
        """The LayerTrace of this record: the integer codes k = code - 2^(weight_bits - 1), on NeuroSim's algorithm
        scale k / 2^(weight_bits - 1)."""
        half = 1 << (self.weight_bits - 1)
        signed = np.int16 if self.weight_bits < 16 else np.int32
        codes = self.weight_codes.astype(signed) - half
        return LayerTrace.from_weight_codes(codes, 1.0 / half, self.input_codes, self.input_bits, name)


class TraceCapture:
    """Records, on the first forward call of each CIM layer while active, image `image` of its batch.

    Use `with capture.active(model): model(x)`; afterwards `capture.traces(layers)` gives the LayerTraces of
    the layer table `layers` (matched by name), ready for neurocim.estimate.
    """

    def __init__(self, image: int = 0) -> None:
        if isinstance(image, bool) or not isinstance(image, int) or image < 0:
            raise ValueError(f"TraceCapture: image={image!r} must be an integer >= 0 (index in the batch)")
        self.image = image
        self.records: dict[str, CapturedLayer] = {}

    @contextmanager
    def active(self, model: nn.Module):
        """Hooks on every CIM layer of `model` for the duration of the block."""
        layers = cim_layers(model)
        if not layers:
            raise ValueError(f"TraceCapture: {type(model).__name__} has no CIM layer; convert it first")
        handles = [layer.register_forward_pre_hook(self._hook(name)) for name, layer in layers.items()]
        try:
            yield self
        finally:
            for handle in handles:
                handle.remove()

    def _hook(self, name: str):
        def record(layer: CIMLayer, args: tuple) -> None:
            if name in self.records or not args:
                return
            x = args[0]
            if x.shape[0] <= self.image:
                raise ValueError(f"TraceCapture: image {self.image} requested, layer {name!r} got a batch of {len(x)}")
            with torch.no_grad():
                self.records[name] = capture_layer(layer, x[self.image : self.image + 1])

        return record

    def traces(self, layers: Sequence[Layer]) -> list[LayerTrace]:
        """LayerTraces of `layers` in their order, checked against their shapes."""
        missing = [layer.name for layer in layers if layer.name not in self.records]
        if missing:
            seen = ", ".join(self.records) or "none"
            raise TraceError(f"no trace captured for layer(s) {missing} (captured: {seen})")
        traces = [self.records[layer.name].trace(layer.name) for layer in layers]
        check_traces(layers, traces)
        return traces


def capture_layer(layer: CIMLayer, x: Tensor) -> CapturedLayer:
    """Weight codes and the unrolled input codes of one image `x` (batch of 1) as `layer` encodes them."""
    s = layer.settings
    codes = layer.input_codes(x)[0]
    unsigned = _unsigned_codes(codes, s.input_bits)
    if isinstance(layer, CIMConv2d):
        cols = F.unfold(unsigned, layer.kernel_size, layer.dilation, layer._unfold_padding, layer.stride)[0]
    else:
        cols = unsigned.reshape(-1, layer.in_rows).t()  # a linear layer's rows are its input features
    weight_codes = layer.weight_codes()[0].t()  # (R, C_out)
    return CapturedLayer(
        weight_codes=weight_codes.cpu().numpy().astype(_uint_dtype(s.weight_bits)),
        input_codes=cols.cpu().numpy().astype(_uint_dtype(s.input_bits)),
        weight_bits=s.weight_bits,
        input_bits=s.input_bits,
    )


def _unsigned_codes(codes: Tensor, bits: int) -> Tensor:
    """Integer codes as the bit patterns the array reads: two's complement for negative codes.

    Codes outside the bits' range (NeuroSim compat leaves inputs unclamped) are clamped to it first.
    """
    ints = torch.clamp(codes.round().long(), -(2 ** (bits - 1)), 2**bits - 1)
    return (ints & (2**bits - 1)).double()


def _uint_dtype(bits: int) -> type:
    return np.uint8 if bits <= 8 else np.uint16 if bits <= 16 else np.uint32
