"""CIMLinear and CIMConv2d: drop-in nn.Linear / nn.Conv2d that compute on a simulated CIM array."""

from __future__ import annotations

import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from neurocim.config.accuracy import AccuracyConfig
from neurocim.config.chip import ChipConfig
from neurocim.nn.base import CIMLayer, LayerMode


class CIMLinear(CIMLayer, nn.Linear):
    """nn.Linear on a CIM array: rows = in_features, columns = out_features (x slices)."""

    bias: Tensor | None  # type: ignore[assignment]  # torch infers nn.Linear.bias as Parameter; without one it is None

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        chip: ChipConfig,
        accuracy: AccuracyConfig | None = None,
        name: str = "linear",
        mode: LayerMode | str = LayerMode.HARDWARE,
        device=None,
        dtype=None,
    ) -> None:
        nn.Linear.__init__(self, in_features, out_features, bias, device=device, dtype=dtype)
        self._init_cim(chip, accuracy, name, mode)

    @classmethod
    def from_float(
        cls, module: nn.Linear, chip: ChipConfig, accuracy: AccuracyConfig | None = None, name: str = "linear", **kw
    ) -> CIMLinear:
        """A CIMLinear sharing `module`'s parameters."""
        layer = cls(
            module.in_features,
            module.out_features,
            module.bias is not None,
            chip=chip,
            accuracy=accuracy,
            name=name,
            device=module.weight.device,
            dtype=module.weight.dtype,
            **kw,
        )
        return layer.share_parameters(module)

    @property
    def fan_in(self) -> int:
        return self.in_features

    @property
    def positions(self) -> int:
        return 1

    @property
    def in_rows(self) -> int:
        return self.in_features

    def _float_op(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        return F.linear(x, weight, bias)

    def _stream(self, codes: Tensor):
        rows = codes.reshape(-1, self.in_features)
        return rows.shape[0], 1, lambda i0, i1: rows[i0:i1]

    def _to_output(self, y: Tensor, x: Tensor) -> Tensor:
        return y.reshape(*x.shape[:-1], self.out_features)

    def _channel_shape(self, y: Tensor) -> tuple[int, ...]:
        return (self.out_features,)


class CIMConv2d(CIMLayer, nn.Conv2d):
    """nn.Conv2d on a CIM array: rows = unrolled (c, kh, kw), columns = output channels (x slices)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        *,
        chip: ChipConfig,
        accuracy: AccuracyConfig | None = None,
        name: str = "conv",
        mode: LayerMode | str = LayerMode.HARDWARE,
        device=None,
        dtype=None,
    ) -> None:
        if groups != 1:
            raise ValueError(f"CIMConv2d {name!r}: groups={groups} is not supported (allowed: 1); exclude the layer")
        if padding_mode != "zeros":
            raise ValueError(f"CIMConv2d {name!r}: padding_mode={padding_mode!r} is not supported (allowed: 'zeros')")
        nn.Conv2d.__init__(
            self,
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            "zeros",  # the only padding mode allowed above
            device=device,
            dtype=dtype,
        )
        self._unfold_padding = _explicit_padding(self.padding, self.kernel_size, self.dilation, self.stride, name)
        self._init_cim(chip, accuracy, name, mode)

    @classmethod
    def from_float(
        cls, module: nn.Conv2d, chip: ChipConfig, accuracy: AccuracyConfig | None = None, name: str = "conv", **kw
    ) -> CIMConv2d:
        """A CIMConv2d sharing `module`'s parameters."""
        layer = cls(
            module.in_channels,
            module.out_channels,
            module.kernel_size,
            module.stride,
            module.padding,
            module.dilation,
            module.groups,
            module.bias is not None,
            module.padding_mode,
            chip=chip,
            accuracy=accuracy,
            name=name,
            device=module.weight.device,
            dtype=module.weight.dtype,
            **kw,
        )
        return layer.share_parameters(module)

    @property
    def fan_in(self) -> int:
        return self.in_channels * self.kernel_size[0] * self.kernel_size[1]

    @property
    def positions(self) -> int:
        return self.kernel_size[0] * self.kernel_size[1]

    @property
    def in_rows(self) -> int:
        return self.in_channels

    def _analog_input(self) -> bool:
        """NeuroSim's first-layer rule: 3 input channels, fewer than a group, are fed in analog without an ADC."""
        return self.settings.neurosim and self.in_channels == 3 and self.in_channels < self.settings.group_size

    def _float_op(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        return F.conv2d(x, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def _batched(self, x: Tensor) -> Tensor:
        if x.dim() == 3:
            return x.unsqueeze(0)
        if x.dim() != 4:
            raise ValueError(f"CIMConv2d {self.cim_name!r}: input must be 3-D or 4-D, got shape {tuple(x.shape)}")
        return x

    def _stream(self, codes: Tensor):
        batch = self._batched(codes)
        h, w = _out_size(batch.shape[-2:], self.kernel_size, self.stride, self._unfold_padding, self.dilation)

        def rows(i0: int, i1: int) -> Tensor:
            cols = F.unfold(batch[i0:i1], self.kernel_size, self.dilation, self._unfold_padding, self.stride)
            return cols.transpose(1, 2).reshape(-1, cols.shape[1])

        return batch.shape[0], h * w, rows

    def _to_output(self, y: Tensor, x: Tensor) -> Tensor:
        batch = self._batched(x)
        h, w = _out_size(batch.shape[-2:], self.kernel_size, self.stride, self._unfold_padding, self.dilation)
        out = y.reshape(batch.shape[0], h * w, self.out_channels).transpose(1, 2).reshape(-1, self.out_channels, h, w)
        return out if x.dim() == 4 else out.squeeze(0)

    def _channel_shape(self, y: Tensor) -> tuple[int, ...]:
        return (self.out_channels, 1, 1)


def _out_size(hw, kernel, stride, padding, dilation) -> tuple[int, int]:
    return tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, s, p, d in zip(hw, kernel, stride, padding, dilation, strict=True)
    )


def _explicit_padding(padding, kernel, dilation, stride, name: str) -> tuple[int, int]:
    """Integer padding for unfold; 'same' only when it is symmetric."""
    if not isinstance(padding, str):
        return tuple(padding)
    if padding == "valid":
        return (0, 0)
    total = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
    if any(t % 2 for t in total) or any(s != 1 for s in stride):
        raise ValueError(f"CIMConv2d {name!r}: padding='same' is asymmetric here; give integer padding instead")
    return tuple(t // 2 for t in total)
