"""PNG plots of a training run: accuracy and loss vs epoch, the device's LTP/LTD curves, weight distributions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from neurocim.config.train import DeviceUpdateConfig
from neurocim.devices.update.models import DeviceMap, PulseResponse, draw_device_map
from neurocim.train.records import TrainResult
from neurocim.train.stats import HIST_BINS


def new_figure(width: float, height: float, panels: int = 1):
    """A matplotlib figure (Agg canvas, no pyplot state) of `panels` side-by-side axes, size in inches."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig, [fig.add_subplot(1, panels, i + 1) for i in range(panels)]


def device_curves(cfg: DeviceUpdateConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nominal device (no variation, no noise): weight after k = 0..M LTP pulses from the bottom, LTD from the top."""
    nominal = cfg.model_copy(update={"d2d_sigma": 0.0, "c2c_sigma": 0.0, "bounds_sigma": 0.0})
    m = nominal.max_level
    dmap: DeviceMap = draw_device_map(torch.Size([2]), nominal, torch.Generator().manual_seed(0), "cpu")
    response = PulseResponse(nominal)
    w = torch.tensor([-1.0, 1.0])
    ltp, ltd = [-1.0], [1.0]
    for _ in range(m):
        w = response.apply(w, torch.tensor([1.0, -1.0]), dmap, None)
        ltp.append(float(w[0]))
        ltd.append(float(w[1]))
    return np.arange(m + 1), np.array(ltp), np.array(ltd)


def plot_training(result: TrainResult, out_dir: str | Path) -> list[Path]:
    """train_curves.png, train_device.png and train_weights.png into `out_dir`; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [_curves(result, out / "train_curves.png"), _device(result, out / "train_device.png"),
            _weights(result, out / "train_weights.png")]


def _curves(result: TrainResult, path: Path) -> Path:
    fig, (acc, loss) = new_figure(10, 4, 2)
    epochs = [e.epoch + 1 for e in result.epochs]
    acc.plot(epochs, [e.train_accuracy for e in result.epochs], "o-", label="train (on chip)")
    acc.plot(epochs, [e.test_accuracy for e in result.epochs], "s-", label="test (on chip)")
    if result.float_accuracy is not None:
        acc.axhline(result.float_accuracy, color="gray", ls="--", label="float baseline (final)")
    acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    acc.legend()
    loss.plot(epochs, [e.train_loss for e in result.epochs], "o-", label="train")
    loss.plot(epochs, [e.test_loss for e in result.epochs], "s-", label="test")
    loss.set(xlabel="epoch", ylabel="loss per sample", title="Loss")
    loss.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def _device(result: TrainResult, path: Path) -> Path:
    cfg = DeviceUpdateConfig.model_validate(result.config["train"]["device"])
    pulses, ltp, ltd = device_curves(cfg)
    fig, (ax,) = new_figure(5, 4)
    ax.plot(pulses, ltp, "o-", ms=3, label="LTP (from the bottom)")
    ax.plot(pulses, ltd, "s-", ms=3, label="LTD (from the top)")
    ax.set(xlabel="pulse number", ylabel="weight (normalised)", title=f"Device: {cfg.model.value}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def _weights(result: TrainResult, path: Path) -> Path:
    last = result.epochs[-1].epoch
    prefix = f"e{last:03d}__"
    hists = {k[len(prefix) : -len("__weight_hist")]: v for k, v in result.arrays.items()
             if k.startswith(prefix) and k.endswith("__weight_hist")}
    fig, (ax,) = new_figure(6, 4)
    centres = (np.arange(HIST_BINS) + 0.5) / HIST_BINS * 2 - 1
    for name, counts in hists.items():
        ax.plot(centres, counts / max(counts.sum(), 1), label=name)
    ax.set(xlabel="weight (normalised)", ylabel="fraction of devices", title=f"Weights after epoch {last + 1}")
    if hists:
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
