"""WAGE training: accuracy on digits, weight range, determinism, exact QG steps, clamps, argument errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from neurocim.data import digits_datasets
from neurocim.models import WageOutput, evaluate_float, train_wage, wage_after, wage_initialize
from neurocim.quant.wage import wage_activation, wage_gradient_quantize, wage_round, wage_weight


def wage_cnn(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    c1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
    c2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
    fc = nn.Linear(32 * 4 * 4, 10, bias=False)
    return nn.Sequential(
        c1, wage_after(c1, 8), nn.ReLU(), c2, wage_after(c2, 8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), fc, wage_after(fc, 8),
    )  # fmt: skip


@pytest.fixture(scope="module")
def digits() -> tuple[TensorDataset, TensorDataset]:
    return digits_datasets()


def _loader(data: TensorDataset, seed: int = 0) -> DataLoader:
    return DataLoader(data, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed))


def test_trains_digits_to_accuracy_with_weights_on_the_wage_range(digits) -> None:
    train, test = digits
    model = wage_cnn()
    names = list(model.state_dict())
    losses = train_wage(model, _loader(train), epochs=3, lr=0.05, grad_scale=8.0)
    assert len(losses) == 3 and losses[2] < losses[0]
    assert evaluate_float(model, DataLoader(test, batch_size=512)) >= 0.9  # measured 0.967
    assert list(model.state_dict()) == names  # the weight quantization left no trace in the keys
    assert not model.training
    for p in model.parameters():
        assert float(p.detach().abs().max()) <= 1 - 2**-7
    outputs = [m for m in model if isinstance(m, WageOutput)]
    assert [(m.bits, m.error_bits) for m in outputs] == [(8, None)] * 3  # the model's own settings are back


def test_same_seed_same_weights(digits) -> None:
    runs = []
    for seed in (0, 0, 1):
        model = wage_cnn()
        train_wage(model, _loader(digits[0]), max_steps=4, seed=seed, grad_scale=8.0)
        runs.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    assert torch.equal(runs[0], runs[1])
    assert not torch.equal(runs[0], runs[2])  # the seed drives QG's stochastic rounding


def _tiny(weight: torch.Tensor) -> nn.Sequential:
    fc = nn.Linear(weight.shape[1], weight.shape[0], bias=False)
    with torch.no_grad():
        fc.weight.copy_(weight)
    return nn.Sequential(fc, wage_after(fc, 8))


def test_one_step_is_exactly_the_quantized_gradient() -> None:
    gen = torch.Generator().manual_seed(3)
    w0 = wage_round(torch.rand(3, 6, generator=gen) - 0.5, 8)  # on the 1/128 grid, inside the clamp
    x, y = torch.rand(5, 6, generator=gen) * 2 - 1, torch.tensor([0, 1, 2, 1, 0])
    model = _tiny(w0)
    scale = model[1].scale
    # expected: the error is QE-quantized (3 bits) at the output, the weight gradient QG-quantized, lr = 1, no momentum
    w = w0.clone().requires_grad_(True)
    logits = wage_activation(x @ wage_weight(w, 8).T / scale, 8, 3)
    (0.5 * ((logits - nn.functional.one_hot(y, 3)) ** 2).sum()).backward()
    step = wage_gradient_quantize(w.grad, 10, 2.0, torch.Generator().manual_seed(7))
    plain = dict(lr=1.0, momentum=0.0, weight_decay=0.0)
    train_wage(model, [(x, y)], error_bits=3, grad_bits=10, grad_scale=2.0, seed=7, **plain)
    delta = model[0].weight.detach() - w0
    assert torch.equal(delta, -step)
    ticks = delta * 2**9
    assert torch.equal(ticks, ticks.round()) and float(ticks.abs().max()) <= 3 and bool(ticks.ne(0).any())


def test_forward_computes_with_rounded_weights_and_keeps_the_float_ones() -> None:
    w0 = torch.linspace(-0.6, 0.6, 18).reshape(3, 6)  # off the 1/16 grid
    model = _tiny(w0)
    seen: list[torch.Tensor] = []
    model[0].register_forward_hook(lambda module, args, out: seen.append(module.weight.detach().clone()))
    train_wage(model, [(torch.ones(2, 6), torch.tensor([0, 1]))], weight_bits=5, lr=1e-6, momentum=0.0)
    assert torch.equal(seen[0], wage_round(w0, 5))
    assert torch.allclose(model[0].weight, w0, atol=1e-6) and not torch.equal(model[0].weight, seen[0])


def test_decrease_at_divides_grad_scale_by_8() -> None:
    w0 = wage_round(torch.linspace(-0.5, 0.5, 12).reshape(2, 6), 8)
    batch = [(torch.linspace(-1, 1, 18).reshape(3, 6), torch.tensor([0, 1, 1]))]
    plain = dict(lr=1.0, momentum=0.0, weight_decay=0.0, grad_bits=10)
    a, b = _tiny(w0), _tiny(w0)
    train_wage(a, batch, grad_scale=8.0, decrease_at=(0,), **plain)
    train_wage(b, batch, grad_scale=1.0, **plain)
    assert torch.equal(a[0].weight, b[0].weight)
    assert not torch.equal(a[0].weight, w0)


def test_every_parameter_is_clamped_batchnorm_too() -> None:
    conv = nn.Conv2d(1, 4, 3, bias=False)
    bn = nn.BatchNorm2d(4)
    with torch.no_grad():
        bn.weight.fill_(3.0)
        bn.bias.fill_(-2.0)
    model = nn.Sequential(conv, wage_after(conv, 8, 6), bn, nn.ReLU(), nn.Flatten(), nn.LazyLinear(3))
    fc = model[5]
    model(torch.zeros(1, 1, 5, 5))  # materialise the lazy layer
    model.append(wage_after(fc, 8, 6))
    x = torch.rand(4, 1, 5, 5, generator=torch.Generator().manual_seed(0))
    train_wage(model, [(x, torch.tensor([0, 1, 2, 0]))], weight_bits=6, loss="cross_entropy")
    assert torch.equal(bn.weight.detach(), torch.full((4,), 1 - 2**-5))
    assert torch.equal(bn.bias.detach(), torch.full((4,), -1 + 2**-5))
    for p in model.parameters():
        assert float(p.detach().abs().max()) <= 1 - 2**-5


def test_cross_entropy_loss_decreases(digits) -> None:
    model = wage_cnn(1)
    losses = train_wage(model, _loader(digits[0]), epochs=2, lr=0.05, grad_scale=8.0, loss="cross_entropy")
    assert losses[1] < losses[0] and all(v > 0 for v in losses)


def test_wage_output_quantizes_errors_only_when_asked() -> None:
    x = torch.tensor([0.3, -0.02], requires_grad=True)
    WageOutput(1.0, 8, error_bits=8)(x).backward(torch.tensor([0.06, -0.03]))
    assert x.grad.tolist() == [round(0.06 * 16 * 128) / 128, round(-0.03 * 16 * 128) / 128]  # QE: / 2^-4
    x.grad = None
    WageOutput(1.0, 8)(x).backward(torch.tensor([0.06, -0.03]))
    assert x.grad.tolist() == pytest.approx([0.06, -0.03])
    with pytest.raises(ValueError, match="error_bits"):
        WageOutput(1.0, 8, error_bits=0)


def test_wage_initialize_draws_within_the_limit() -> None:
    model = wage_initialize(wage_cnn(), 4, torch.Generator().manual_seed(0))
    w = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert float(w.abs().max()) <= 1 - 2**-3
    assert float(w.abs().max()) > 0.8  # uniform over the whole range, not PyTorch's fan-in bound


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weight_bits": 0}, "weight_bits must be an integer >= 1"),
        ({"act_bits": 1.5}, "act_bits"),
        ({"grad_bits": True}, "grad_bits"),
        ({"error_bits": -1}, "error_bits"),
        ({"epochs": 0}, "epochs must be an integer >= 1"),
        ({"loss": "mse"}, "loss must be one of"),
        ({"grad_scale": 0.0}, "grad_scale must be a finite number > 0"),
        ({"lr": float("nan")}, "lr"),
        ({"momentum": -0.1}, "momentum must be a finite number >= 0"),
        ({"max_steps": 0}, "max_steps"),
        ({"decrease_at": (-1,)}, "decrease_at"),
        ({"decrease_at": 3}, "decrease_at"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        train_wage(_tiny(torch.zeros(2, 3)), [], **kwargs)


def test_empty_loader_is_refused() -> None:
    with pytest.raises(ValueError, match="no samples"):
        train_wage(_tiny(torch.zeros(2, 3)), [])


def test_model_without_wage_outputs_is_refused() -> None:
    with pytest.raises(ValueError, match="wage_outputs=True"):
        train_wage(nn.Sequential(nn.Linear(3, 2)), [])


def test_non_finite_loss_raises_and_restores_the_model() -> None:
    model = _tiny(torch.full((2, 3), 0.5))
    names = list(model.state_dict())
    with pytest.raises(FloatingPointError, match="non-finite loss"):
        train_wage(model, [(torch.tensor([[float("nan"), 0.0, 0.0]]), torch.tensor([0]))])
    assert list(model.state_dict()) == names
    assert model[1].error_bits is None
