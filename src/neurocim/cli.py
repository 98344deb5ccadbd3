"""The `neurocim` command line: a thin layer over the Python API."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

# The compiled read pass runs on numba's OpenMP threads, which by default spin between launches: on a machine busy with
# other work the spinning threads take the cores the work needs (several times the wall time). Sleeping instead costs
# little here. Set before any OpenMP runtime starts (numba's on the first parallel pass, PyTorch's on import); an
# OMP_WAIT_POLICY in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# NumPy asks the kernel for transparent huge pages on large arrays; where the kernel compacts memory to serve them
# (THP defrag "madvise"), an estimate that allocates and frees its read-pass arrays stalls in the kernel now and then
# (0.35 s of system time on a 0.75 s estimate). Plain pages cost a little more faulting and never stall. Set before
# NumPy is imported; a NUMPY_MADVISE_HUGEPAGE in the environment wins.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from neurocim.errors import InputError, clipped  # noqa: E402
from neurocim.explore.cli import explore as explore_command  # noqa: E402
from neurocim.train.cli import sweep_training_command, train_command  # noqa: E402


def _user_errors_family() -> tuple[type[Exception], ...]:
    """Errors that a user's input causes: the InputError family, and the floorplan's refusals of a network."""
    from neurocim.mapping.floorplan import FloorplanError

    return (InputError, FloorplanError)


MAX_MESSAGE_LINES = 40  # an input error lists at most this many problems, each cut to LINE_LIMIT characters
LINE_LIMIT = 1000


def _fail(message: str) -> NoReturn:
    lines = [clipped(line, LINE_LIMIT) for line in message.splitlines() or [""]]
    if len(lines) > MAX_MESSAGE_LINES:
        lines = lines[:MAX_MESSAGE_LINES] + [f"... and {len(lines) - MAX_MESSAGE_LINES} more problems"]
    click.echo("error: " + "\n".join(lines), err=True)
    sys.exit(2)


def _internal_error(err: BaseException) -> NoReturn:
    traceback.print_exception(type(err), err, err.__traceback__, file=sys.stderr)
    click.echo(
        f"internal error ({type(err).__name__}): this is a bug in neurocim, not in your input; please report it "
        "to the neurocim maintainers with the command line and the traceback above",
        err=True,
    )
    sys.exit(1)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Input errors become one `error: ...` message (exit 2); the group reports anything else as a bug."""
    try:
        yield
    except _user_errors_family() as err:
        _fail(str(err))


class _Group(click.Group):
    """The command group: input errors in one line (exit 2), anything unexpected with its traceback (exit 1)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, BrokenPipeError):
            raise  # click's own handling (a closed pipe, as in `neurocim ... | head`, ends quietly)
        except _user_errors_family() as err:
            _fail(str(err))
        except Exception as err:  # every other failure is a bug: shown in full
            _internal_error(err)


def _outputs(*checks: tuple[Path | None, str, bool]) -> None:
    """Check output paths (path, what, is_folder) before any computation; None is skipped."""
    from neurocim.report.outputs import check_output_dir, check_output_file

    with _user_errors():
        for path, what, folder in checks:
            if path is not None:
                (check_output_dir if folder else check_output_file)(path, what)


def _run_options(command: Callable) -> Callable:
    """CONFIG, --repeats, --threads and --quiet: the options every accuracy-evaluating command takes."""
    for option in reversed(
        (
            click.argument("config", required=False, type=click.Path(path_type=Path)),
            click.option("--repeats", type=click.IntRange(min=1), help="Monte-Carlo device draws (default: config)."),
            click.option("--threads", type=click.IntRange(min=1), help="CPU threads for PyTorch (default: PyTorch's)."),
            click.option("--quiet", is_flag=True, help="No progress bar."),
        )
    ):
        command = option(command)
    return command


def _set_threads(threads: int | None) -> None:
    """PyTorch's intra-op threads; one thread avoids OpenMP stalls on a CPU busy with other work."""
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


@click.group(cls=_Group)
@click.version_option(package_name="neurocim")
def main() -> None:
    """Benchmark compute-in-memory accelerators: accuracy and chip cost from one configuration."""


@main.command()
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option("--neurosim-params", type=click.Path(path_type=Path), help="JSON of NeuroSim Param.cpp names to values.")
@click.option(
    "--network", type=click.Path(path_type=Path), help="NeuroSim network CSV (optional for an .npz that holds it)."
)
@click.option("--traces", required=True, type=click.Path(path_type=Path), help=".npz traces or a NeuroSim CSV folder.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Write the report as JSON here.")
@click.option("--quiet", is_flag=True, help="No progress display.")
def estimate(
    config: Path | None,
    neurosim_params: Path | None,
    network: Path | None,
    traces: Path,
    json_out: Path | None,
    quiet: bool,
) -> None:
    """Estimate area, latency, energy and efficiency of a CIM chip running a network."""
    from neurocim.estimate import estimate_from_files
    from neurocim.report.progress import status
    from neurocim.report.table import render_report

    if (config is None) == (neurosim_params is None):
        _fail("give exactly one of CONFIG.yaml or --neurosim-params PARAMS.json")
    _outputs((json_out, "--json", False))
    with _user_errors(), status("estimating the chip's area, latency and energy", not quiet):
        report = estimate_from_files(config=config, neurosim_params=neurosim_params, network=network, traces=traces)
    render_report(report)
    if json_out is not None:
        report.write_json(json_out)
        click.echo(f"report written to {json_out}")


@main.command("train-estimate")
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option(
    "--neurosim-params", type=click.Path(path_type=Path), help="JSON of NeuroSim V2.1 Param.cpp names to values."
)
@click.option("--traces", required=True, type=click.Path(path_type=Path), help="Training traces (.npz).")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Write the epoch report as JSON here.")
@click.option("--quiet", is_flag=True, help="No progress display.")
def train_estimate(
    config: Path | None, neurosim_params: Path | None, traces: Path, json_out: Path | None, quiet: bool
) -> None:
    """Estimate what one epoch of on-chip training costs: forward, activation gradient, weight gradient, weight
    update and DRAM, per layer and chip, with TOPS/W, TOPS and epochs per second."""
    from neurocim.report.progress import status
    from neurocim.training_cost.files import estimate_training_from_files

    if (config is None) == (neurosim_params is None):
        _fail("give exactly one of CONFIG.yaml or --neurosim-params PARAMS.json")
    _outputs((json_out, "--json", False))
    with _user_errors(), status("estimating the cost of a training epoch", not quiet):
        result = estimate_training_from_files(traces, config=config, neurosim_params=neurosim_params)
    result.report.print()
    if json_out is not None:
        result.report.write_json(json_out)
        click.echo(f"report written to {json_out}")


@main.command()
@_run_options
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Write the result as JSON here.")
def accuracy(config: Path | None, repeats: int | None, threads: int | None, quiet: bool, json_out: Path | None) -> None:
    """Accuracy of a network on a CIM chip: float vs hardware, mean ± std over device draws.

    CONFIG is a run file (sections chip, accuracy, model, data); without it, the bundled default runs:
    the digits CNN on a 22 nm RRAM chip (src/neurocim/examples/default_run.yaml).
    """
    from neurocim.accuracy import run_accuracy

    _set_threads(threads)
    _outputs((json_out, "--json", False))
    with _user_errors():
        result = run_accuracy(config, repeats=repeats, progress=not quiet)
    click.echo(result.summary())
    if json_out is not None:
        result.write_json(json_out)
        click.echo(f"result written to {json_out}")


@main.command()
@_run_options
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the result JSON here.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("neurocim_out"),
    show_default=True,
    help="Folder for run.json, summary.txt, traces.npz and the PNG plots.",
)
@click.option("--neurosim-traces", type=click.Path(path_type=Path), help="Also write NeuroSim's CSV traces here.")
def run(
    config: Path | None,
    repeats: int | None,
    threads: int | None,
    quiet: bool,
    json_out: Path | None,
    out_dir: Path,
    neurosim_traces: Path | None,
) -> None:
    """Accuracy on the chip and the chip's cost, from one configuration.

    CONFIG is a run file (sections chip, accuracy, model, data); without it, the bundled default runs:
    the digits CNN on a 22 nm RRAM chip (src/neurocim/examples/default_run.yaml).
    """
    from neurocim.report.table import render_report
    from neurocim.runner import run as run_both

    _set_threads(threads)
    _outputs((out_dir, "--out", True), (json_out, "--json", False), (neurosim_traces, "--neurosim-traces", True))
    with _user_errors():
        result = run_both(config, repeats=repeats, progress=not quiet)
        files = result.save(out_dir)
        if json_out is not None:
            result.write_json(json_out)
            files.append(json_out)
        if neurosim_traces is not None:
            result.write_neurosim_traces(neurosim_traces)
            files.append(neurosim_traces)
    render_report(result.report)
    click.echo(result.summary())
    click.echo("written: " + ", ".join(str(f) for f in files))


@main.command()
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option("--csv", "csv_out", type=click.Path(path_type=Path), help="Write NeuroSim's network CSV here.")
@click.option("--quiet", is_flag=True, help="No progress display.")
def network(config: Path | None, csv_out: Path | None, quiet: bool) -> None:
    """The layer table of a run file's model (conv/linear shapes, pooling, inputs), from one forward pass."""
    from neurocim.report.progress import status
    from neurocim.report.table import render_network
    from neurocim.runner import network_of
    from neurocim.workload.network import write_network_csv

    _outputs((csv_out, "--csv", False))
    with _user_errors(), status("building the model and tracing one forward pass", not quiet):
        extracted = network_of(config)
        if csv_out is not None:
            write_network_csv(csv_out, extracted.layers)
    render_network(extracted)
    if csv_out is not None:
        click.echo(f"network CSV written to {csv_out}")


def _int_list(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        items = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected comma-separated integers, e.g. 1,2,4") from None
    if not items or min(items) < 1:
        raise click.BadParameter(f"{value!r}: expected positive integers, e.g. 1,2,4")
    return items


@main.command("sweep-accuracy")
@_run_options
@click.option("--adc-bits", callback=_int_list, default="1,2,3,4,5,6,7,8", show_default=True, help="ADC bits.")
@click.option("--rows", callback=_int_list, help="Sub-array rows (default: the config's).")
@click.option("--cell-bits", callback=_int_list, help="Bits per cell (default: the config's).")
@click.option("--csv", "csv_out", type=click.Path(path_type=Path), help="Write the table as CSV here.")
@click.option("--png", "png_out", type=click.Path(path_type=Path), help="Plot accuracy vs ADC bits here.")
def sweep_accuracy(
    config: Path | None,
    repeats: int | None,
    threads: int | None,
    quiet: bool,
    adc_bits: tuple[int, ...],
    rows: tuple[int, ...] | None,
    cell_bits: tuple[int, ...] | None,
    csv_out: Path | None,
    png_out: Path | None,
) -> None:
    """Accuracy vs ADC precision for several sub-array sizes and cell precisions."""
    from neurocim.config.run import load_config
    from neurocim.explore.accuracy_sweep import plot_sweep, render_sweep, sweep_accuracy, write_sweep_csv
    from neurocim.report.outputs import atomic_path

    _set_threads(threads)
    _outputs((csv_out, "--csv", False), (png_out, "--png", False))
    with _user_errors():
        cfg = load_config(config)
        points = sweep_accuracy(cfg, adc_bits, rows, cell_bits, repeats=repeats, progress=not quiet)
    click.echo(render_sweep(points))
    with _user_errors():
        if csv_out is not None:
            with atomic_path(csv_out, "--csv") as temp:
                write_sweep_csv(points, temp)
            click.echo(f"table written to {csv_out}")
        if png_out is not None:
            with atomic_path(png_out, "--png") as temp:
                plot_sweep(points, temp)
            click.echo(f"plot written to {png_out}")


main.add_command(explore_command)
main.add_command(train_command)
main.add_command(sweep_training_command)

if __name__ == "__main__":
    main()
