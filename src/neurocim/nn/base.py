"""Shared machinery of the CIM layers: weight/input encodings, calibration state, the three forward modes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from typing import TypeVar, cast

import torch
from torch import Tensor, nn

from neurocim.config.accuracy import AccuracyConfig, AdcRangeMode, CompatMode, QuantScheme
from neurocim.config.chip import ChipConfig
from neurocim.mapping.layer_mapping import LayerMapping
from neurocim.nn import encoding as enc
from neurocim.nn.devices import (
    DeviceMap,
    draw_device_map,
    exact_device_map,
    ideal_conductance,
    layer_seed,
    neurosim_call_conductance,
)
from neurocim.nn.engine import AdcSpec, ArrayOperands, InputStream, analog_mvm, bit_serial_mvm
from neurocim.nn.grouping import RowGroups
from neurocim.nn.settings import LayerSettings, resolve_settings
from neurocim.quant import codes as qc
from neurocim.quant.adc import linear_quantize_out, snapped_step
from neurocim.quant.ptq import RangeObserver
from neurocim.quant.wage import wage_activation, wage_init_scale, wage_round


class LayerMode(str, Enum):
    FLOAT = "float"  # the original float layer
    QUANTIZED = "quantized"  # integer closed form of the quantized layer (ideal devices, lossless ADC)
    HARDWARE = "hardware"  # bit-serial inputs, sliced weights, ADC per read, non-idealities


_Layer = TypeVar("_Layer", bound="CIMLayer")


class CIMLayer(nn.Module):
    """Mixin of CIMLinear / CIMConv2d. Subclasses provide the float op and the row layout (see layers.py)."""

    weight: Tensor  # the float layer's parameters (nn.Linear / nn.Conv2d)
    bias: Tensor | None
    act_scale: Tensor  # buffers registered in _init_cim
    act_signed: Tensor
    adc_top: Tensor

    def _init_cim(self, chip: ChipConfig, accuracy: AccuracyConfig | None, name: str, mode: LayerMode | str) -> None:
        self.chip = chip
        self.accuracy = accuracy if accuracy is not None else AccuracyConfig()
        self.settings = resolve_settings(chip, self.accuracy)
        self.cim_name = name
        self.mode = mode
        self.repeat = 0
        s = self.settings
        self.wage_scale = wage_init_scale(self.fan_in, s.weight_bits) if s.scheme is QuantScheme.WAGE else 1.0
        self.register_buffer("act_scale", torch.tensor(enc.UNSET, dtype=torch.float64))
        self.register_buffer("act_signed", torch.tensor(False))
        self.register_buffer("adc_top", torch.tensor(enc.UNSET, dtype=torch.float64))
        self._calibration: str | None = None
        self._observer: RangeObserver | None = None
        self._cache: tuple | None = None
        self._layer_mapping: LayerMapping | None = None
        self.pe_rows = 0  # rows of one of its PEs, as the network's floorplan sizes them (set by convert_)
        self._noise = torch.Generator().manual_seed(layer_seed(self.accuracy.seed, name))

    @property
    def mode(self) -> LayerMode:
        return self._mode

    @mode.setter
    def mode(self, value: LayerMode | str) -> None:
        try:
            self._mode = LayerMode(value)
        except ValueError:
            raise ValueError(f"mode={value!r}; allowed: {[m.value for m in LayerMode]}") from None

    # ---- layout hooks (overridden) -------------------------------------------------------------------------
    @property
    def fan_in(self) -> int:
        raise NotImplementedError

    @property
    def positions(self) -> int:
        raise NotImplementedError

    @property
    def in_rows(self) -> int:
        """Input channels (conv) / features (linear)."""
        raise NotImplementedError

    def _float_op(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        raise NotImplementedError

    def _stream(self, codes: Tensor) -> tuple[int, int, Callable[[int, int], Tensor]]:
        raise NotImplementedError

    def _to_output(self, y: Tensor, x: Tensor) -> Tensor:
        raise NotImplementedError

    def _channel_shape(self, y: Tensor) -> tuple[int, ...]:
        raise NotImplementedError

    def _analog_input(self) -> bool:
        return False

    def share_parameters(self: _Layer, module: nn.Linear | nn.Conv2d) -> _Layer:
        """Use `module`'s weight and bias (the same Parameter objects); returns self."""
        self.weight, self.bias = module.weight, module.bias
        self._cache = None
        return self

    # ---- encodings ------------------------------------------------------------------------------------------
    @property
    def weight_denominator(self) -> float:
        return enc.weight_denominator(self.settings)

    def weight_codes(self) -> tuple[Tensor, Tensor]:
        """Offset-binary codes X (C_out, R) float64 and the output scale per channel (C_out,) float64."""
        return enc.weight_codes(self.weight, self.settings, self.wage_scale)

    def input_codes(self, x: Tensor) -> tuple[Tensor, float, float, bool]:
        """Integer input codes (float64), their denominator, the input scale, and whether they are signed."""
        return enc.input_codes(x, self.settings, float(self.act_scale), bool(self.act_signed), self.cim_name)

    @property
    def layer_mapping(self) -> LayerMapping:
        """How this layer's weights sit on its chip (the mapping the cost model reads too), built once."""
        if self._layer_mapping is None:
            out_channels = int(cast(Tensor, self.weight).shape[0])
            self._layer_mapping = LayerMapping.from_chip(
                self.chip, self.in_rows, self.positions, out_channels, pe_rows=self.pe_rows
            )
        return self._layer_mapping

    def row_groups(self) -> RowGroups:
        return enc.row_groups(self.settings, self.layer_mapping)

    # ---- weight side (cached per weight version and device draw) ---------------------------------------------
    def _operands(self, device: torch.device, seed: int) -> tuple[ArrayOperands, Tensor]:
        key = (self.weight._version, self.weight.data_ptr(), device, self.repeat)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, *self._build_operands(device))
        _, ops, scale, dmap = self._cache
        s, dev_cfg = self.settings, self.settings.accuracy.devices
        if s.neurosim and (dev_cfg.c2c_sigma > 0 or dev_cfg.drift.active):
            ops = replace(ops, call_conductance=_call_draws(dmap, ops.groups, s, seed))
        return ops, scale

    def _build_operands(self, device: torch.device) -> tuple[ArrayOperands, Tensor, DeviceMap | None]:
        s, dev_cfg = self.settings, self.settings.accuracy.devices
        codes, scale = self.weight_codes()
        groups = self.row_groups().to(device)
        per_read = not s.neurosim and dev_cfg.c2c_sigma > 0
        call_draws = s.neurosim and (dev_cfg.c2c_sigma > 0 or dev_cfg.drift.active)
        delta = dmap = None
        if exact_device_map(dev_cfg, frozen_drift=not s.neurosim) and not call_draws:
            digits = _grouped_digits(codes.to(device), groups, s)  # straight into the read layout, no device map
            conductance = ideal_conductance(digits, s.lattice) if per_read else None  # empty slots meet x = 0
        else:
            sliced = qc.slice_codes(codes.t(), s.bits_per_cell, s.slices).float().to(device)  # (K, R, C)
            seed = layer_seed(self.accuracy.seed, self.cim_name, self.repeat)
            dmap = draw_device_map(sliced, s.lattice, dev_cfg, seed, frozen_drift=not s.neurosim)
            digits = _grouped(dmap.digits, groups)
            delta = None if dmap.delta is None else _grouped(dmap.delta, groups)
            conductance = _grouped(dmap.conductance, groups) if per_read else None
        ops = ArrayOperands(
            groups=groups,
            digits=digits,
            delta=delta,
            square=None if conductance is None else conductance**2,
            slices=s.slices,
            significance=qc.slice_significance(s.bits_per_cell, s.slices, device=device),
            lattice=s.lattice,
            read_sigma=dev_cfg.c2c_sigma if per_read else 0.0,
        )
        return ops, scale.to(device), dmap if call_draws else None  # the map is kept only for per-call draws

    def _adc(self, groups: RowGroups, signed_cycles_max: int) -> AdcSpec:
        s = self.settings
        if self._calibration == "adc":
            obs = self._observer
            assert obs is not None  # begin_calibration set it with the stage
            blind = obs.method == "max"  # min/max of all reads, however they are split
            return AdcSpec(s.adc_bits, None, observer=obs.update, observer_split_invariant=blind)
        if s.adc_mode is AdcRangeMode.NEUROSIM_BATCH_MINMAX:
            return AdcSpec(s.adc_bits, s.adc_mode)
        if s.adc_mode is AdcRangeMode.FULL_SCALE:
            lat = s.lattice
            top = float(lat.per_normalised * lat.top_digit * groups.size * signed_cycles_max)
        else:
            top = float(self.adc_top)
            if top == enc.UNSET:
                raise RuntimeError(
                    f"layer {self.cim_name!r}: ADC range not calibrated (accuracy.adc.range_mode=calibrated); "
                    "run neurocim.nn.calibrate_(model, batches) first, or use range_mode=full_scale"
                )
        return AdcSpec(s.adc_bits, s.adc_mode, snapped_step(top, s.adc_bits, s.lattice.grid))

    # ---- forward -------------------------------------------------------------------------------------------
    def forward(self, x: Tensor) -> Tensor:
        if self._calibration == "inputs":
            assert self._observer is not None  # begin_calibration set it with the stage
            self._observer.update(x)
        if self.mode is LayerMode.FLOAT or self._calibration == "inputs":
            return self._float_op(x, self.weight, self.bias)
        y = self._pre_activation64(x)
        if self.settings.scheme is QuantScheme.WAGE:
            q = self.settings.accuracy.quantization
            y = wage_activation(y, self.settings.input_bits, q.wage_error_bits)
        y = y.to(x.dtype)
        if torch.is_grad_enabled() and (x.requires_grad or self.weight.requires_grad):
            surrogate = self._surrogate(x)
            y = y.detach() + (surrogate - surrogate.detach())  # straight-through; the value stays exact
        return y

    def _surrogate(self, x: Tensor) -> Tensor:
        """The differentiable stand-in whose gradient the output takes: the float layer on the output's scale
        (/ the WAGE fan-in scale) and, under WAGE, through the output quantizer, whose backward quantizes the
        errors (QE) and stops them at clipped outputs, as WAGE training does."""
        y = self._float_op(x, self.weight, self.bias)
        if self.settings.scheme is not QuantScheme.WAGE:
            return y
        q = self.settings.accuracy.quantization
        return wage_activation(y / self.wage_scale, self.settings.input_bits, q.wage_error_bits)

    def pre_activation(self, x: Tensor) -> Tensor:
        """The layer output before the WAGE output quantizer (the whole output under PTQ), in x's dtype."""
        with torch.no_grad():
            if self.mode is LayerMode.FLOAT:
                return self._float_op(x, self.weight, self.bias)
            return self._pre_activation64(x).to(x.dtype)

    def _pre_activation64(self, x: Tensor) -> Tensor:
        if self.settings.compat is CompatMode.NEUROSIM_V14_OUTPUT_ADC:
            return self._output_adc(x)
        if self.mode is LayerMode.QUANTIZED:
            return self._closed_form(x)
        return self._hardware(x)

    def _finish(self, y: Tensor, x_scale: float, w_scale: Tensor) -> Tensor:
        shape = self._channel_shape(y)
        y = y * (w_scale * x_scale).view(shape)
        if self.bias is not None and not self.settings.neurosim:  # NeuroSim's bias cancels in main - reference
            y = y + self.bias.detach().double().view(shape)
        return y

    def _closed_form(self, x: Tensor) -> Tensor:
        s = self.settings
        if s.neurosim:  # NeuroSim's software path: conv(x, Q(W)) / scale
            w = wage_round(self.weight.detach().double(), s.weight_bits)
            b = None if self.bias is None else self.bias.detach().double()
            return self._float_op(x.double(), w, b) / self.wage_scale
        a, den_a, x_scale, _ = self.input_codes(x)
        codes, w_scale = self.weight_codes()
        levels = qc.offset_binary_levels(codes, s.weight_bits).view(self.weight.shape)
        y = self._float_op(a, levels.to(a.device), None) / (den_a * self.weight_denominator)
        return self._finish(y, x_scale, w_scale.to(a.device))

    def _hardware(self, x: Tensor) -> Tensor:
        s = self.settings
        seed = int(torch.randint(0, 2**62, (1,), generator=self._noise))
        ops, w_scale = self._operands(x.device, seed)
        if s.neurosim and self.bias is not None:
            ops = replace(ops, bias=self.bias.detach().double() * s.lattice.per_normalised)
        if self._analog_input():
            items, per_item, rows = self._stream(x.double())
            y = analog_mvm(rows(0, items), ops) / self.weight_denominator
            return self._finish(self._to_output(y, x), 1.0, w_scale)
        codes, den_a, x_scale, signed = self.input_codes(x)
        items, per_item, rows = self._stream(codes)
        cycles = enc.cycles(s, signed)
        stream = InputStream(rows, items, per_item, enc.digit_fn(s, signed), cycles, enc.max_digit(s))
        adc = self._adc(ops.groups, enc.max_digit(s))
        y = bit_serial_mvm(stream, ops, adc, self.accuracy.max_chunk_elements, seed)
        y = y / (s.lattice.gain * den_a * self.weight_denominator)
        return self._finish(self._to_output(y, x), x_scale, w_scale)

    def _output_adc(self, x: Tensor) -> Tensor:
        """NeuroSim V1.4 for models other than VGG8: Q(x), one product with Q(W), one ADC over the output."""
        s = self.settings
        w = wage_round(self.weight.detach().double(), s.weight_bits)
        b = None if self.bias is None else self.bias.detach().double()
        y = self._float_op(wage_round(x.double(), s.input_bits), w, b)
        return linear_quantize_out(y, s.adc_bits) / self.wage_scale

    # ---- calibration hooks (driven by neurocim.nn.calibrate_) -----------------------------------------------
    @property
    def needs_input_calibration(self) -> bool:
        return self.settings.compat is CompatMode.NONE

    @property
    def needs_adc_calibration(self) -> bool:
        s = self.settings
        return s.compat is not CompatMode.NEUROSIM_V14_OUTPUT_ADC and s.adc_mode is AdcRangeMode.CALIBRATED

    def begin_calibration(self, what: str) -> None:
        q, a = self.settings.accuracy.quantization, self.settings.accuracy.adc
        if what == "inputs":
            self._observer = RangeObserver(q.activation_calibration.value, q.percentile)
        elif what == "adc":
            self._observer = RangeObserver(a.calibration.value, a.percentile)
        else:
            raise ValueError(f"calibration stage={what!r}; allowed: 'inputs', 'adc'")
        self._calibration = what

    def end_calibration(self) -> None:
        obs, what = self._observer, self._calibration
        self._calibration, self._observer = None, None
        if obs is None or not obs.seen:
            raise RuntimeError(f"layer {self.cim_name!r}: no data reached it during calibration stage {what!r}")
        if what == "inputs":
            self.act_signed.fill_(obs.minimum < 0)
            self.act_scale.fill_(obs.abs_range)
        else:
            self.adc_top.fill_(max(obs.abs_range, 0.0))

    def resample_devices(self, repeat: int) -> None:
        """Draw another device map (Monte-Carlo repeat `repeat`) and restart the read-noise stream of that repeat."""
        self.repeat = int(repeat)
        self._cache = None
        self._noise.manual_seed(layer_seed(self.accuracy.seed, self.cim_name, self.repeat))


def _grouped_digits(codes: Tensor, groups: RowGroups, s: LayerSettings) -> Tensor:
    """(C, R) weight codes -> (G, N, K*C) float32 cell digits, slice-major columns, empty slots zero."""
    rows = groups.gather_rows(codes.t().float())  # (G, N, C); codes < 2^24 are exact in float32
    return qc.slice_codes(rows, s.bits_per_cell, s.slices, axis=2).flatten(2)


def _grouped(t: Tensor, groups: RowGroups) -> Tensor:
    """(K, R, C) -> (G, N, K*C), slice-major columns."""
    K, R, C = t.shape
    return groups.gather_rows(t.permute(1, 0, 2).reshape(R, K * C)).contiguous()


def _call_draws(dmap: DeviceMap, groups: RowGroups, s: LayerSettings, seed: int):
    """NeuroSim's per-call redraws bound to one forward's seed: the same cycle z always gets the same draw."""

    def draw(z0: int, z1: int) -> Tensor:
        gen = torch.Generator(device=dmap.digits.device).manual_seed((seed + 1_000_003 * z0) % (2**62))
        g = neurosim_call_conductance(dmap, s.lattice, s.accuracy.devices, z1 - z0, gen)  # (Zc, K, R, C)
        zc, K, R, C = g.shape
        return groups.gather_rows(g.permute(0, 2, 1, 3).reshape(zc, R, K * C)).permute(1, 0, 2, 3)

    return draw
