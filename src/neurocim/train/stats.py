"""Per-epoch statistics of a training run: running loss/accuracy, per-layer records, arrays for the cost model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch import Tensor, nn

from neurocim.train.flat import FlatLayers
from neurocim.train.records import LayerRecord

HIST_BINS = 64  # weight/update histograms over [-1, 1]
_NUMPY_FLOATS = (torch.float32, torch.float64)


class EpochStats:
    """Running sums of the training loss (per sample) and accuracy of one epoch."""

    def __init__(self) -> None:
        self.loss_sum, self.correct, self.count = 0.0, 0, 0

    def add(self, batch_loss: float, logits: Tensor, labels: Tensor) -> None:
        self.loss_sum += batch_loss
        if logits.device.type == "cpu" and logits.dtype in _NUMPY_FLOATS:  # the same first-maximum argmax, in numpy
            self.correct += int(np.count_nonzero(logits.detach().numpy().argmax(1) == labels.numpy()))
        else:
            self.correct += int((logits.argmax(1) == labels).sum())
        self.count += int(labels.numel())

    @property
    def loss(self) -> float:
        return self.loss_sum / self.count

    @property
    def accuracy(self) -> float:
        return self.correct / self.count


class UpdateStats:
    """Per-layer sums over the updates of one epoch, kept as dense tensors and reduced once, when the epoch ends.

    Pulses applied per device (|n|: summed and maximal) and updates that wrote each device accumulate element by
    element (float32: whole counts stay exact up to 2^24 per device and epoch); the last update (what SGD
    subtracted, weight units) is kept as it is, for its mean and spread.
    """

    def __init__(self, flat: FlatLayers) -> None:
        self.flat = flat
        self.pulses_sum = torch.zeros_like(flat.data)
        self.pulses_max = torch.zeros_like(flat.data)
        self.written = torch.zeros_like(flat.data)
        self.last: tuple[Tensor | None, Tensor] | None = None
        self.updates = 0
        self._arrays: tuple[np.ndarray, ...] | None = None

    def arrays(self) -> tuple[np.ndarray, ...]:
        """pulses_sum, pulses_max, written as numpy views, for the compiled passes to accumulate into (CPU only)."""
        if self._arrays is None:
            self._arrays = (self.pulses_sum.numpy(), self.pulses_max.numpy(), self.written.numpy())
        return self._arrays

    def add(self, pulses: Tensor | None, idx: Tensor | None, update: Tensor) -> None:
        """One update of every layer: pulses |n| per device (dense; None: no device written) and the update at
        flat indices `idx` (None: at every element)."""
        if pulses is not None:
            self.pulses_sum.add_(pulses)
            torch.maximum(self.pulses_max, pulses, out=self.pulses_max)
            self.written.add_(torch.sign(pulses))  # 1 where written
        self.last = (idx, update)
        self.updates += 1

    def per_layer(self) -> list[dict[str, float]]:
        """Per layer: pulses per device per update (mean), the most pulses, written fraction, last update moments."""
        flat, ids = self.flat, self.flat.layer_ids()
        totals = torch.zeros(4, len(flat.sizes), dtype=torch.float64, device=flat.data.device)
        for i, part in enumerate((self.pulses_sum, self.written)):
            totals[i].index_add_(0, ids, part.to(torch.float64))
        if self.last is not None:
            idx, u = self.last[0], self.last[1].to(torch.float64)
            layer = ids if idx is None else ids.index_select(0, idx)
            totals[2:].index_add_(1, layer, torch.stack((u, u * u)))
        peaks = [float(v.max()) if v.numel() else 0.0 for v in flat.views(self.pulses_max).values()]
        out = []
        for size, total, written, s1, s2, peak in zip(flat.sizes, *totals.tolist(), peaks, strict=True):
            devices = max(size * self.updates, 1)
            mean = s1 / size
            var = (s2 - size * mean**2) / max(size - 1, 1)
            out.append({
                "pulses_per_update_mean": total / devices, "pulses_per_update_max": peak,
                "devices_written_fraction": written / devices, "update_mean": mean, "update_std": max(var, 0.0) ** 0.5,
            })  # fmt: skip
        return out


def activity(x: Tensor, bits: int) -> float:
    """Fraction of 1s in the bit planes of the input codes round(min(|x|, 1) * (2^b - 1)) (V2.1's input activity)."""
    codes = torch.round(x.detach().abs().clamp(max=1.0) * (2**bits - 1)).to(torch.int64)
    levels = torch.arange(2**bits, device=codes.device)
    ones_of = torch.stack([(levels >> k) & 1 for k in range(bits)]).sum(0)  # 1s in each code (a table of 2^b)
    return int(ones_of[codes].sum()) / (codes.numel() * bits)


@contextmanager
def input_activity_hooks(model: nn.Module, names: list[str], bits: int) -> Iterator[dict[str, float]]:
    """Record each chip layer's input activity on the first batch that passes while inside."""
    found: dict[str, float] = {}
    modules = dict(model.named_modules())
    handles = []
    for name in names:

        def hook(module: nn.Module, args: tuple, name: str = name) -> None:
            if name not in found:
                found[name] = activity(args[0], bits)

        handles.append(modules[name].register_forward_pre_hook(hook))
    try:
        yield found
    finally:
        for h in handles:
            h.remove()


def layer_records(weights: dict[str, nn.Parameter], optimizer, activity_by_layer: dict[str, float]) -> dict:
    """One LayerRecord per chip layer from the weights and the optimizer's epoch statistics."""
    per_layer = optimizer.epoch_stats()
    out = {}
    for name, w in weights.items():
        out[name] = LayerRecord(
            weight_mean=float(w.detach().mean()),
            weight_std=float(w.detach().std()) if w.numel() > 1 else 0.0,
            input_activity=activity_by_layer.get(name, 0.0),
            **per_layer[name],
        )
    return out


def weight_codes(w: Tensor, bits: int) -> np.ndarray:
    """Signed integer codes of stored weights on the chip's grid: round(C(w) * 2^(b-1)), |code| <= 2^(b-1) - 1."""
    top = 2 ** (bits - 1)
    codes = torch.round(w.detach().double().clamp(-1.0, 1.0) * top).clamp(-(top - 1), top - 1)
    dtype = np.int8 if bits <= 8 else np.int16 if bits <= 16 else np.int32
    return codes.cpu().numpy().astype(dtype)


def layer_arrays(epoch: int, weights: dict[str, nn.Parameter], before: dict[str, Tensor], bits: int) -> dict:
    """Arrays of one epoch: integer codes before/after the last update, weight histogram, per chip layer."""
    out = {}
    edges = np.linspace(-1.0, 1.0, HIST_BINS + 1)
    for name, w in weights.items():
        key = f"e{epoch:03d}__{name}"
        out[f"{key}__codes_after"] = weight_codes(w, bits)
        if name in before:
            out[f"{key}__codes_before"] = weight_codes(before[name], bits)
        values = w.detach().float().cpu().numpy().ravel()
        out[f"{key}__weight_hist"] = np.histogram(np.clip(values, -1, 1), bins=edges)[0].astype(np.int64)
    return out
