"""Per-epoch statistics of a training run: running loss/accuracy, per-layer records, arrays for the cost model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch import Tensor, nn

from neurocim.train.records import LayerRecord

HIST_BINS = 64  # weight/update histograms over [-1, 1]


class EpochStats:
    """Running sums of the training loss (per sample) and accuracy of one epoch."""

    def __init__(self) -> None:
        self.loss_sum, self.correct, self.count = 0.0, 0, 0

    def add(self, batch_loss: float, logits: Tensor, labels: Tensor) -> None:
        self.loss_sum += batch_loss
        self.correct += int((logits.argmax(1) == labels).sum())
        self.count += int(labels.numel())

    @property
    def loss(self) -> float:
        return self.loss_sum / self.count

    @property
    def accuracy(self) -> float:
        return self.correct / self.count


def activity(x: Tensor, bits: int) -> float:
    """Fraction of 1s in the bit planes of the input codes round(min(|x|, 1) * (2^b - 1)) (V2.1's input activity)."""
    codes = torch.round(x.detach().abs().clamp(max=1.0) * (2**bits - 1)).to(torch.int64)
    ones = sum(float(((codes >> k) & 1).float().mean()) for k in range(bits))
    return ones / bits


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
    out = {}
    for name, w in weights.items():
        state = optimizer.layers[name]
        st = state.stats
        devices = max(st.devices, 1)
        out[name] = LayerRecord(
            weight_mean=float(w.detach().mean()),
            weight_std=float(w.detach().std()) if w.numel() > 1 else 0.0,
            update_mean=state.update_moments[0],
            update_std=state.update_moments[1],
            pulses_per_update_mean=st.pulses_sum / devices,
            pulses_per_update_max=st.pulses_max,
            devices_written_fraction=st.written / devices,
            input_activity=activity_by_layer.get(name, 0.0),
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
