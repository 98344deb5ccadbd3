"""`neurocim train` and `neurocim sweep-training`: on-chip training from a run file (torch loaded on use)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from neurocim.config.io import ConfigError

USER_ERRORS = (ConfigError, ValueError, TypeError, FileNotFoundError, RuntimeError, ArithmeticError)


def _threads(threads: int | None) -> None:
    """PyTorch intra-op threads: the given count, else one (small models run fastest on one; pass more for big ones)."""
    import torch

    torch.set_num_threads(threads if threads is not None else 1)


def _fail(err: Exception) -> None:
    click.echo(f"error: {err}", err=True)
    sys.exit(2)


@click.command("train")
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option("--epochs", type=click.IntRange(min=1), help="Epochs (default: the run file's train.epochs).")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the result JSON here.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("neurocim_train"),
    show_default=True,
    help="Folder for train.csv, train.json, train.npz, checkpoint.pt and the PNG plots; a run resumes from it.",
)
@click.option("--float-baseline", is_flag=True, help="Also train the same model in float with the same settings.")
@click.option("--restart", is_flag=True, help="Ignore a checkpoint in --out and start from scratch.")
@click.option("--threads", type=click.IntRange(min=1), help="CPU threads for PyTorch (default: 1).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def train_command(
    config: Path | None,
    epochs: int | None,
    json_out: Path | None,
    out_dir: Path,
    float_baseline: bool,
    restart: bool,
    threads: int | None,
    quiet: bool,
) -> None:
    """Train a network on the chip: weights in simulated devices, updated by programming pulses.

    CONFIG is a run file with a `train:` section (device model, optimizer, epochs); without it, the bundled
    default trains the digits CNN from scratch on 5-bit linear devices (src/neurocim/examples/train_digits.yaml).
    An interrupted run resumes from the checkpoint in --out.
    """
    from neurocim.train.outputs import save_training
    from neurocim.train.run import train_run

    _threads(threads)
    try:
        result = train_run(
            config, epochs=epochs, out=out_dir, progress=not quiet, float_baseline=float_baseline, restart=restart
        )
        files = save_training(result, out_dir)
        if json_out is not None:
            files.append(result.write_json(json_out))
    except USER_ERRORS as err:
        _fail(err)
    click.echo(result.summary())
    if result.cost is not None:
        from neurocim.train.cost import cost_summary

        click.echo(cost_summary(result.cost.to_dict()["chip"]))
    click.echo("written: " + ", ".join(str(f) for f in files))


def _floats(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, ...]:
    try:
        items = tuple(float(v) for v in (value or "").split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected comma-separated numbers, e.g. 1,3,5") from None
    if any(v < 0 for v in items):
        raise click.BadParameter(f"{value!r}: expected numbers >= 0")
    return items


@click.command("sweep-training")
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option("--nonlinearity", callback=_floats, default="1,3,5,7,9", show_default=True, help="|NL| values.")
@click.option("--c2c", callback=_floats, default="0,0.01,0.03,0.1", show_default=True, help="c2c sigmas.")
@click.option("--momentum", callback=_floats, default="0,0.9", show_default=True, help="Momentum values.")
@click.option("--seeds", type=click.IntRange(min=1), default=1, show_default=True, help="Seeds per point (mean).")
@click.option("--epochs", type=click.IntRange(min=1), help="Epochs per run (default: the run file's).")
@click.option("--csv", "csv_out", type=click.Path(path_type=Path), help="Write every run as CSV here.")
@click.option("--png", "png_out", type=click.Path(path_type=Path), help="Plot accuracy vs NL and vs c2c here.")
@click.option("--threads", type=click.IntRange(min=1), help="CPU threads for PyTorch (default: 1).")
@click.option("--quiet", is_flag=True, help="No per-run lines.")
def sweep_training_command(
    config: Path | None,
    nonlinearity: tuple[float, ...],
    c2c: tuple[float, ...],
    momentum: tuple[float, ...],
    seeds: int,
    epochs: int | None,
    csv_out: Path | None,
    png_out: Path | None,
    threads: int | None,
    quiet: bool,
) -> None:
    """Accuracy of on-chip training vs device nonlinearity (LTP +NL, LTD -NL) and vs cycle-to-cycle variation,
    with and without momentum (mean over seeds)."""
    from neurocim.train.sweep import plot_sweep, render_sweep, sweep_training, write_sweep_csv

    _threads(threads)

    def report(p) -> None:
        if not quiet:
            click.echo(f"{p.sweep}={p.value:g} momentum={p.momentum:g} seed={p.seed}: {p.test_accuracy:.2%}", err=True)

    try:
        points = sweep_training(config, nonlinearity, c2c, momentum, range(seeds), epochs, report)
    except USER_ERRORS as err:
        _fail(err)
    click.echo(render_sweep(points))
    if csv_out is not None:
        write_sweep_csv(points, csv_out)
        click.echo(f"table written to {csv_out}")
    if png_out is not None:
        plot_sweep(points, png_out)
        click.echo(f"plot written to {png_out}")
