"""Time one epoch of on-chip training against plain float training of the same model, in the same process.

On-chip: V2.1's training forward (WAGE quantization, no ADC), errors QE-quantized, every conv/FC weight a
device array updated by pulses (neurosim_v21 exponential device with d2d and c2c variation, momentum 0.9).
Float: the same network as a plain PyTorch model, cross-entropy, torch.optim.SGD with momentum.
Models: VGG-8 on synthetic CIFAR-shaped data (3x32x32, 10 classes) and the digits CNN on the digits.

Run: python benchmarks/bench_train.py [--threads N] [--vgg-batches N] [--vgg-batch-size N] [--repeats N]
     [--device cpu|cuda] [--models vgg8,digits]
The PyTorch CPU thread count is set explicitly (default 1), so that both sides run on the same threads.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from neurocim.config.io import read_mapping
from neurocim.data import get_datasets
from neurocim.models import build_model
from neurocim.train.checkpoint import DEFAULT_TRAIN_RUN
from neurocim.train.loop import TrainingRun, evaluate_loss, resolve_config


def _config(batch_size: int) -> dict:
    data = read_mapping(DEFAULT_TRAIN_RUN)
    data["train"].update(batch_size=batch_size, momentum=0.9, learning_rate=0.05)
    data["train"]["device"].update(
        model="neurosim_v21", nonlinearity_ltp=1.75, nonlinearity_ltd=-1.46, d2d_sigma=0.1, c2c_sigma=0.003
    )
    return data


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _clock() -> tuple[float, float]:
    """(wall, CPU) seconds: the CPU time of this process is what a machine shared with other work distorts least."""
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float], device: torch.device) -> tuple[float, float]:
    _sync(device)
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def float_epoch(model: nn.Module, loader: DataLoader, device: torch.device) -> tuple[float, float]:
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    _sync(device)
    start = _clock()
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return _since(start, device)


def chip_epoch(model: nn.Module, loader: DataLoader, test: DataLoader, cfg, device) -> tuple[float, float]:
    run = TrainingRun(model.to(device), cfg)
    _sync(device)
    start = _clock()
    run.epoch(0, loader, test, lambda n: None)
    total = _since(start, device)
    test_pass = _eval_time(run, test, device)
    return total[0] - test_pass[0], total[1] - test_pass[1]


def _eval_time(run: TrainingRun, test: DataLoader, device: torch.device) -> tuple[float, float]:
    """The test pass inside an epoch, timed alone, so that both sides time training only."""
    _sync(device)
    start = _clock()
    evaluate_loss(run.model, test, run.cfg.train.loss, device)
    return _since(start, device)


def compare(name: str, make_model, loader: DataLoader, test: DataLoader, cfg, device, repeats: int) -> None:
    floats, chips = [], []
    for _ in range(repeats):  # interleaved, so that both sides see the same machine load
        floats.append(float_epoch(make_model().to(device), loader, device))
        chips.append(chip_epoch(make_model(), loader, test, cfg, device))
    for i, what in enumerate(("wall", "CPU")):
        f, c = statistics.median(t[i] for t in floats), statistics.median(t[i] for t in chips)
        ratio = f"ratio {c / f:5.2f}x   (median of {repeats})"
        print(f"{name:<32} {what:>4}: float {f:8.3f} s   on-chip {c:8.3f} s   {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="PyTorch CPU threads (default 1)")
    parser.add_argument("--vgg-batches", type=int, default=4, help="batches in the VGG-8 epoch")
    parser.add_argument("--vgg-batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", default="vgg8,digits", help="comma-separated: vgg8, digits")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"device {device}, {torch.get_num_threads()} CPU thread(s), torch {torch.__version__}")
    models = set(args.models.split(","))
    if "vgg8" in models:
        _vgg8(args, device)
    if "digits" in models:
        _digits(args, device)


def _vgg8(args: argparse.Namespace, device: torch.device) -> None:
    gen = torch.Generator().manual_seed(0)
    n = args.vgg_batches * args.vgg_batch_size
    cifar = TensorDataset(torch.rand(n, 3, 32, 32, generator=gen) * 2 - 1, torch.randint(0, 10, (n,), generator=gen))
    cfg = resolve_config(_config(args.vgg_batch_size))
    loader = DataLoader(cifar, batch_size=args.vgg_batch_size)
    test = DataLoader(TensorDataset(cifar.tensors[0][:8], cifar.tensors[1][:8]), batch_size=8)
    compare(f"VGG-8, {n} CIFAR-shaped images", lambda: build_model("vgg8"), loader, test, cfg, device, args.repeats)


def _digits(args: argparse.Namespace, device: torch.device) -> None:
    train_set, test_set = get_datasets("digits", None, train=True, augment=False)
    cfg = resolve_config(_config(16))
    loader = DataLoader(train_set, batch_size=16)
    test = DataLoader(test_set, batch_size=150)
    compare("digits CNN, 1347 images", lambda: build_model("digits_cnn"), loader, test, cfg, device, args.repeats)


if __name__ == "__main__":
    main()
