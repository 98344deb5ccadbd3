"""The on-chip training loop: the update rule as SGD on the grid, seeds, resume, checkpoints, records, refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import neurocim
from neurocim.config.io import ConfigError
from neurocim.config.run import load_config
from neurocim.models import build_model
from neurocim.train.loop import resolve_config
from neurocim.train.optimizer import AnalogSGD, normalised
from neurocim.train.outputs import save_training
from neurocim.train.run import train_run

TINY = {
    "data": {"test_samples": 60, "batch_size": 60},
    "train": {"epochs": 1, "batch_size": 32, "train_samples": 96},
}


def _cfg(**train):
    from neurocim.config.io import read_mapping
    from neurocim.train.checkpoint import DEFAULT_TRAIN_RUN

    data = read_mapping(DEFAULT_TRAIN_RUN)
    data["data"].update(TINY["data"])
    data["train"].update(TINY["train"])
    device = train.pop("device", {})
    data["train"]["device"].update(device)
    compat = train.pop("compat", None)
    if compat:
        data["accuracy"]["compat"] = compat
    if train.get("forward") == "hardware":
        data["accuracy"]["quantization"] = {"scheme": "wage"}
    data["train"].update(train)
    return resolve_config(data)


def _comparable(result) -> list[dict]:
    return [{k: v for k, v in r.row().items() if k != "seconds"} for r in result.epochs]


def test_linear_device_without_noise_is_sgd_on_the_quantized_grid() -> None:
    cfg = _cfg(learning_rate=0.3, grad_bits=5, device={"model": "linear", "max_level": 32})
    layer = nn.Linear(50, 20, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.randint(-16, 17, (20, 50)) / 16.0)  # on the 32-level grid
    opt = AnalogSGD({"fc": layer.weight}, [], cfg)
    for _ in range(3):
        layer.weight.grad = torch.randn(20, 50)
        state = opt.generator.get_state()
        w0 = layer.weight.detach().clone()
        opt.step(0.3)
        u = torch.rand((20, 50), generator=torch.Generator().set_state(state))
        step = torch.floor(-0.3 * normalised(layer.weight.grad) * 16 + u) / 16  # SR of -lr * x on the 1/16 grid
        assert torch.allclose(layer.weight.detach(), (w0 + step).clamp(-1, 1), atol=1e-6)
        assert torch.allclose(layer.weight * 16, torch.round(layer.weight * 16), atol=1e-5)  # still on the grid


def test_seeds_reproduce_a_run_exactly() -> None:
    cfg = _cfg(device={"model": "neurosim_v21", "d2d_sigma": 0.3, "c2c_sigma": 0.02}, momentum=0.5)
    a, b = train_run(cfg), train_run(cfg)
    assert _comparable(a) == _comparable(b)
    assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters(), strict=True))
    other = train_run(_cfg(device={"model": "neurosim_v21", "d2d_sigma": 0.3, "c2c_sigma": 0.02}, momentum=0.5, seed=1))
    assert _comparable(other) != _comparable(a)


def test_resume_after_interruption_loses_nothing(tmp_path) -> None:
    cfg = _cfg(epochs=2, device={"model": "soft_bounds", "d2d_sigma": 0.2, "c2c_sigma": 0.01}, momentum=0.9)
    whole = train_run(cfg, out=tmp_path / "whole")
    train_run(cfg, epochs=1, out=tmp_path / "split")  # "interrupted" after the first epoch
    resumed = train_run(cfg, out=tmp_path / "split")
    assert _comparable(resumed) == _comparable(whole)
    assert set(resumed.arrays) == set(whole.arrays)
    assert all(np.array_equal(resumed.arrays[k], whole.arrays[k]) for k in whole.arrays)


def test_checkpoint_that_does_not_match_is_refused(tmp_path) -> None:
    cfg = _cfg()
    train_run(cfg, out=tmp_path)
    with pytest.raises(ConfigError, match="another configuration"):
        train_run(_cfg(learning_rate=0.05), out=tmp_path)
    loader = DataLoader(TensorDataset(torch.zeros(8, 1, 8, 8), torch.zeros(8, dtype=torch.long)), batch_size=8)
    other = build_model("digits_cnn", width=4)
    with pytest.raises(ConfigError, match="does not match the model"):
        neurocim.train(other, loader, loader, cfg, out=tmp_path)
    (tmp_path / "checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ConfigError, match="cannot be read"):
        train_run(cfg, out=tmp_path)
    assert train_run(cfg, out=tmp_path, restart=True).epochs[0].epoch == 0


def test_records_hold_codes_before_and_after_the_last_update_and_input_activity(tmp_path) -> None:
    result = train_run(_cfg(), out=tmp_path)
    files = save_training(result, tmp_path)
    names = {p.name for p in files}
    assert {"train.json", "train.csv", "train.npz", "train_curves.png", "train_device.png"} <= names
    arrays = np.load(tmp_path / "train.npz")
    layers = ["features.conv1", "features.conv2", "classifier.fc1", "classifier.fc2"]
    for layer in layers:
        before, after = arrays[f"e000__{layer}__codes_before"], arrays[f"e000__{layer}__codes_after"]
        assert before.dtype == np.int8 and before.shape == after.shape
        assert np.abs(after).max() <= 15
    assert any((arrays[f"e000__{n}__codes_before"] != arrays[f"e000__{n}__codes_after"]).any() for n in layers)
    record = result.epochs[0]
    assert set(record.layers) == set(layers)
    assert all(0 < r.input_activity < 1 for r in record.layers.values())
    assert 0 < record.devices_written_fraction < 1 and record.pulses_per_update_mean > 0
    assert 0 <= record.test_accuracy <= 1 and np.isfinite(record.test_loss)


@pytest.mark.parametrize(
    "train",
    [
        {"forward": "hardware"},
        {"compat": "neurosim_v21", "device": {"model": "neurosim_v21", "nonlinearity_ltd": 1.46, "c2c_sigma": 0.003},
         "momentum": 0.9, "dampening": 0.9, "learning_rate": 1.0, "loss": "sse"},
        {"device": {"model": "power_step", "gamma": 10.0, "d2d_sigma": 3.0, "c2c_sigma": 0.5, "bounds_sigma": 1.0,
                    "max_level": 2}, "learning_rate": 100.0, "momentum": 0.99},
    ],
)  # fmt: skip
def test_forward_paths_compat_and_extreme_settings_stay_finite(train: dict) -> None:
    result = train_run(_cfg(**train))
    assert all(torch.isfinite(p).all() for p in result.model.parameters())
    assert np.isfinite(result.epochs[0].train_loss)


def test_refusals() -> None:
    loader = DataLoader(TensorDataset(torch.zeros(4, 3), torch.zeros(4, dtype=torch.long)), batch_size=4)
    with pytest.raises(ConfigError, match="no convertible layer"):
        neurocim.train(nn.Sequential(nn.ReLU(), nn.Flatten()), loader, loader, _cfg())
    with pytest.raises(ConfigError, match="max_level=64 levels do not fit chip.cell.bits_per_cell=5"):
        _cfg(device={"max_level": 64})
    with pytest.raises(ConfigError, match="keeps each weight in one device"):
        resolve_config({"chip": {"cell": {"bits_per_cell": 1}}})
    with pytest.raises(ConfigError, match="train.device: nonlinearity_ltp=0"):
        load_config({"train": {"device": {"model": "neurosim_v21", "nonlinearity_ltp": 0}}})
    with pytest.raises(ConfigError, match="train.forward=hardware needs accuracy.quantization.scheme=wage"):
        resolve_config({"train": {"forward": "hardware"}, "chip": {"cell": {"bits_per_cell": 5},
                        "precision": {"weight_bits": 5}}})  # fmt: skip
    with pytest.raises(ConfigError, match="train.weight_bits is a hardware"):
        load_config({"train": {"weight_bits": 5}})


def test_learning_rate_schedule_and_its_refusals() -> None:
    from pydantic import ValidationError

    from neurocim.config.train import TrainConfig

    t = TrainConfig(epochs=5, learning_rate=0.1, lr_milestones=[2, 4], lr_gamma=0.5)
    assert [t.rate_at(e) for e in range(5)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    with pytest.raises(ValidationError, match="lr_milestones"):
        TrainConfig(epochs=3, lr_milestones=[3])
    with pytest.raises(ValidationError, match="dampening"):
        TrainConfig(dampening=0.5)


@pytest.mark.parametrize("act_bits", [8, None])
def test_fused_wage_layer_ops_equal_the_reference_quantizers(act_bits) -> None:
    from neurocim.quant.wage import wage_activation, wage_clip, wage_error_quantize, wage_weight
    from neurocim.train.forward import _QuantizedWeight, _WageOutput

    g = torch.Generator().manual_seed(0)
    w = (torch.rand(64, 32, generator=g) * 2.4 - 1.2).requires_grad_()
    assert torch.equal(_QuantizedWeight.apply(w, 5), wage_weight(wage_clip(w.detach(), 5), 5))
    y = (torch.randn(16, 40, generator=g) * 3).requires_grad_()
    up = torch.randn(16, 40, generator=g) * 1e-3
    ours = _WageOutput.apply(y, 4.0, act_bits, 8)
    ours.backward(up)
    y2 = y.detach().clone().requires_grad_()
    scaled = y2 / 4.0
    ref = wage_activation(scaled, act_bits, 8) if act_bits else scaled
    ref.backward(up if act_bits else wage_error_quantize(up, 8))
    assert torch.equal(ours, ref) and torch.equal(y.grad, y2.grad)


def test_one_flat_update_serves_every_layer_with_its_own_normalisation() -> None:
    cfg = _cfg(learning_rate=0.3, grad_bits=5, device={"model": "linear", "max_level": 32})
    a, b = nn.Linear(50, 20, bias=False), nn.Linear(20, 4, bias=False)
    with torch.no_grad():
        for layer in (a, b):
            layer.weight.copy_(torch.randint(-8, 9, layer.weight.shape) / 16.0)
    opt = AnalogSGD({"a": a.weight, "b": b.weight}, [], cfg)
    grads = {"a": torch.randn(20, 50), "b": torch.randn(4, 20) * 1e-3}  # peaks three decades apart
    before = {"a": a.weight.detach().clone(), "b": b.weight.detach().clone()}
    version = a.weight._version
    opt.zero_grad()
    a.weight.grad.copy_(grads["a"])
    b.weight.grad.copy_(grads["b"])
    state = opt.generator.get_state()
    opt.step(0.3)
    u = torch.rand(20 * 50 + 4 * 20, generator=torch.Generator().set_state(state))
    u_by_layer = {"b": u[:80].view(4, 20), "a": u[80:].view(20, 50)}  # V2.1's order: layers in reverse
    for name, layer in (("a", a), ("b", b)):
        step = torch.floor(-0.3 * normalised(grads[name]) * 16 + u_by_layer[name]) / 16
        assert torch.allclose(layer.weight.detach(), (before[name] + step).clamp(-1, 1), atol=1e-6), name
    assert a.weight._version > version  # caches keyed on the version see the update
    assert a.weight.untyped_storage().data_ptr() == opt.flat.data.untyped_storage().data_ptr()  # one buffer


def test_shared_quantized_weights_give_the_run_of_per_layer_quantizers(monkeypatch) -> None:
    from neurocim.train import loop

    cfg = _cfg(device={"model": "neurosim_v21", "d2d_sigma": 0.1, "c2c_sigma": 0.01}, momentum=0.9)
    shared = train_run(cfg)
    monkeypatch.setattr(loop, "share_quantized_weights", lambda *args: None)
    alone = train_run(cfg)
    assert _comparable(shared) == _comparable(alone)
    assert all(torch.equal(p, q) for p, q in zip(shared.model.parameters(), alone.model.parameters(), strict=True))


def _fused_and_plain_steps(
    cfg, seed: int, shapes: dict, steps: int, decay: float, program: bool = False, at_rest: str | None = None
) -> tuple[AnalogSGD, AnalogSGD]:
    """(compiled, torch-path) optimizers over the same random weights, stepped on the same gradients (scaled by
    decay**-step; the layer `at_rest` gets none), programmed first if `program`."""
    gen = torch.Generator().manual_seed(seed)
    init = {n: (torch.rand(s, generator=gen) * 2 - 1) * 0.9 for n, s in shapes.items()}
    runs = []
    for fused in (True, False):
        weights = {n: nn.Parameter(w.clone()) for n, w in init.items()}
        opt = AnalogSGD(weights, [], cfg, fused=fused)
        if program:
            opt.program_initial_()
        runs.append((weights, opt))
    for step in range(steps):
        grads = {n: torch.randn(s, generator=gen) * decay**-step for n, s in shapes.items()}
        if at_rest is not None:
            grads[at_rest].zero_()  # no pulse, its velocity decays
        for weights, opt in runs:
            opt.zero_grad()
            for n, w in weights.items():
                w.grad.copy_(grads[n])
            opt.step(cfg.train.learning_rate)
    return runs[0][1], runs[1][1]


@pytest.mark.parametrize(
    "train",
    [
        {"momentum": 0.9, "device": {"model": "neurosim_v21", "d2d_sigma": 0.1, "c2c_sigma": 0.01}},
        {"grad_bits": 3, "device": {"model": "neurosim_v21", "max_level": 20, "bounds_sigma": 0.2, "c2c_sigma": 0.05}},
        {"grad_bits": 6, "learning_rate": 0.7, "device": {"model": "neurosim_v21", "nonlinearity_ltd": -9.0}},
        {"grad_bits": 4, "device": {"model": "soft_bounds", "max_level": 24, "d2d_sigma": 0.2, "c2c_sigma": 0.02}},
    ],
)
def test_compiled_update_passes_give_the_torch_path_bit_for_bit(train: dict) -> None:
    cfg = _cfg(learning_rate=train.pop("learning_rate", 0.2), **train)
    shapes = {"a": (12, 30), "b": (7, 12), "c": (3, 7)}
    fused, plain = _fused_and_plain_steps(cfg, 1, shapes, steps=6, decay=10.0, program=True)
    assert torch.equal(fused.flat.data, plain.flat.data)
    assert fused.generator.get_state().equal(plain.generator.get_state())  # the same draws
    for name in ("pulses_sum", "pulses_max", "written"):
        assert torch.equal(getattr(fused.stats, name), getattr(plain.stats, name)), name
    assert all(torch.equal(x, y) for x, y in zip(fused.stats.last, plain.stats.last, strict=True))
    assert fused.epoch_stats() == plain.epoch_stats()


@pytest.mark.parametrize("act_bits", [8, 3])
def test_compiled_wage_quantizers_give_the_torch_ops_bit_for_bit(act_bits) -> None:
    from neurocim.train import forward

    g = torch.Generator().manual_seed(2)
    y = torch.randn(4, 300, generator=g) * 3
    y[0, :4] = torch.tensor([float("nan"), float("inf"), -float("inf"), -0.0])
    y[1] = y[1].round()  # on the clip's edges and the rounding grid
    for scale in (1.0, 4.0, 0.125):
        ours, ref = forward.wage_output_compiled(y, scale, act_bits), forward.wage_output_torch(y, scale, act_bits)
        for a, b in zip(ours, ref, strict=True):
            assert torch.equal(a.nan_to_num(7.0), b.nan_to_num(7.0)) and torch.equal(a.isnan(), b.isnan())
        inside = ref[1]
        for grad in (torch.randn(4, 300, generator=g) * 1e-3, torch.zeros(4, 300), torch.full((4, 300), -1e-30)):
            grad[2, :3] = torch.tensor([-0.0, 5e-3, -7e-3])
            for mask in (inside, None):
                ours = forward.error_quantize_compiled(grad, scale, 8, mask)
                ref = forward.error_quantize_torch(grad, scale, 8, mask)
                assert torch.equal(ours, ref) and torch.equal(ours.signbit(), ref.signbit())
        nan_grad = torch.randn(4, 300, generator=g)
        nan_grad[3, 7] = float("nan")
        assert torch.equal(
            forward.error_quantize_compiled(nan_grad, scale, 8, None).isnan(),
            forward.error_quantize_torch(nan_grad, scale, 8, None).isnan(),
        )


def test_compiled_segment_peaks_are_max_abs_with_nan() -> None:
    from neurocim.train import kernels

    x = torch.tensor([0.5, -3.0, 2.0, -0.0, 1e-30, float("inf"), -1.0, float("nan"), 2.0]).numpy()
    out = np.empty(4, dtype=np.int32)
    kernels.segment_peaks(x.view(np.int32), np.array([3, 5, 7, 9]), out)
    peaks = out.view(np.float32)
    assert peaks[:3].tolist() == [3.0, np.float32(1e-30), float("inf")] and np.isnan(peaks[3])
    assert kernels.abs_peak(x[:5].reshape(5, 1)) == 3.0 and np.isnan(kernels.abs_peak(x))


def test_compiled_error_quantizer_finds_the_torch_paths_shift_at_its_edges() -> None:
    """The compiled QE takes round(log2 max|g|) from the binary exponent: the same shift as the torch path at powers
    of two, on both sides of 2^(k + 1/2), for subnormal peaks; an infinite gradient is refused by both."""
    from neurocim.train import forward

    g = torch.Generator().manual_seed(3)
    base = torch.rand(3, 40, generator=g) * 2 - 1
    for k in (-140, -60, -7, 0, 5, 60):
        root = torch.tensor(2.0 ** (k + 0.5), dtype=torch.float32)
        edges = [root, torch.nextafter(root, torch.tensor(0.0)), torch.nextafter(root, torch.tensor(1e30))]
        for peak in [*edges, torch.tensor(2.0**k), torch.tensor(2.0**k).nextafter(torch.tensor(0.0))]:
            grad = base * peak
            grad[1, 3] = -peak  # the peak itself, negative
            ours = forward.error_quantize_compiled(grad, 2.0, 8, None)
            assert torch.equal(ours, forward.error_quantize_torch(grad, 2.0, 8, None)), (k, float(peak))
    bad = base.clone()
    bad[0, 0] = float("inf")
    for quantize in (forward.error_quantize_compiled, forward.error_quantize_torch):
        with pytest.raises(OverflowError):
            quantize(bad, 2.0, 8, None)


@pytest.mark.parametrize("dampening", [0.0, 0.3])
def test_compiled_momentum_step_gives_the_torch_path_bit_for_bit(dampening: float) -> None:
    """Momentum folded into the peaks pass (no dampening) or left to torch (dampening): the torch path's velocity,
    pulses, draws and statistics, a layer at rest included, with a second rounding and the clamp in play."""
    cfg = _cfg(learning_rate=0.9, momentum=0.8, dampening=dampening, grad_bits=3,
               device={"model": "neurosim_v21", "max_level": 20, "d2d_sigma": 0.1, "c2c_sigma": 0.02})  # fmt: skip
    shapes = {"a": (9, 20), "b": (5, 9), "c": (2, 5)}
    fused, plain = _fused_and_plain_steps(cfg, 4, shapes, steps=5, decay=3.0, at_rest="b")
    assert torch.equal(fused.velocity, plain.velocity) and torch.equal(fused.flat.data, plain.flat.data)
    assert fused.generator.get_state().equal(plain.generator.get_state())
    for name in ("pulses_sum", "pulses_max", "written"):
        assert torch.equal(getattr(fused.stats, name), getattr(plain.stats, name)), name
    assert fused.epoch_stats() == plain.epoch_stats()
