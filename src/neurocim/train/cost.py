"""What the training-cost model reads from a training run (train_traces.npz), and the epoch's training cost."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from neurocim.config.run import RunConfig
from neurocim.train.forward import plain_model
from neurocim.train.stats import weight_codes
from neurocim.training_cost.estimate import TrainingEstimate
from neurocim.workload.capture import TraceCapture
from neurocim.workload.network import network_to_array

TRACES_FILE = "train_traces.npz"


def _chip_model(model: nn.Module, cfg: RunConfig, names: list[str], x: Tensor) -> nn.Module:
    """`model` (plain conv/FC layers) with its chip layers as CIM layers, calibrated on `x`, for trace capture."""
    from neurocim.nn.base import CIMLayer
    from neurocim.nn.convert import calibrate_, convert_

    if any(isinstance(m, CIMLayer) for m in model.modules()):
        return model  # the hardware forward path: the chip layers already are CIM layers, calibrated
    others = [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d | nn.Linear) and n and n not in names]
    convert_(model, cfg.chip, cfg.accuracy, exclude=others)
    return calibrate_(model, [x])


def _codes_table(w: Tensor, bits: int) -> np.ndarray:
    """Signed weight codes as the array holds them: rows in (c, kh, kw) order, one column per output channel."""
    codes = weight_codes(w, bits)
    return np.ascontiguousarray(codes.reshape(codes.shape[0], -1).T)


@torch.no_grad()
def training_traces(
    model: nn.Module, weights: dict[str, nn.Parameter], before: dict[str, Tensor], cfg: RunConfig, images: Tensor
) -> dict[str, np.ndarray]:
    """The npz arrays of one training step: network_csv, wl_weight, wl_activate, meta_json and per chip layer
    L{i}_weight (codes after the last update), L{i}_weight_old_code (before it), L{i}_input_code (one image)."""
    from neurocim.workload.extract import extract_network

    p = cfg.chip.precision
    x = images[:1].detach()
    plain = plain_model(model).eval()
    network = extract_network(plain, x)
    layers = network.select(weights)
    chip = _chip_model(plain, cfg, [layer.name for layer in layers], x)
    capture = TraceCapture(image=0)
    with capture.active(chip):
        chip(x.to(next(chip.parameters()).device))
    capture.traces(layers)  # checked against the layer table
    meta = {"wl_weight": p.weight_bits, "wl_activate": p.input_bits, "layers": [{"hook_name": n.name} for n in layers]}
    out: dict[str, np.ndarray] = {
        "network_csv": network_to_array(layers),
        "wl_weight": np.array(p.weight_bits),
        "wl_activate": np.array(p.input_bits),
        "meta_json": np.array(json.dumps(meta)),
    }
    for i, layer in enumerate(layers, start=1):
        after = weights[layer.name]
        out[f"L{i}_weight"] = _codes_table(after, p.weight_bits)
        out[f"L{i}_weight_old_code"] = _codes_table(before.get(layer.name, after), p.weight_bits)
        out[f"L{i}_input_code"] = capture.records[layer.name].input_codes
    return out


def training_cost(cfg: RunConfig, arrays: dict[str, np.ndarray]) -> TrainingEstimate:
    """The epoch's training cost on the run's chip from recorded `arrays` (read back and checked as a file)."""
    from neurocim.training_cost.files import estimate_recorded

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / TRACES_FILE
        np.savez_compressed(path, allow_pickle=False, **arrays)
        return estimate_recorded(cfg.chip, path)


def cost_summary(chip: dict) -> str:
    """One line of the chip totals of a training-cost report (its JSON's `chip` object)."""
    total = chip["training"]["total"]
    return (
        f"training cost per epoch: {total['latency_s']:.4g} s, {total['energy_j']:.4g} J, "
        f"{chip['tops_per_w']:.4g} TOPS/W, chip area {chip['area_m2'] * 1e6:.4g} mm²"
    )
