"""`neurocim explore SWEEP.yaml`: run or resume a design-space sweep and write its tables and plots."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from neurocim.config.io import ConfigError


@click.command("explore")
@click.argument("sweep", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default="neurocim_explore", show_default=True,
              help="Results folder (rerunning the same command resumes).")  # fmt: skip
@click.option("--backend", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: this process or a process pool; ray: Ray tasks (pip install 'neurocim[ray]').")  # fmt: skip
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option("--address", help="Ray cluster address (default: start a local Ray).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def explore(sweep: Path, out: Path, backend: str, workers: int, address: str | None, quiet: bool) -> None:
    """Sweep or search chip (and accuracy) settings of a base run file; results survive interruption."""
    import torch

    from neurocim.explore.api import explore as run_sweep
    from neurocim.workload.network import WorkloadError

    torch.set_num_threads(1)  # points (one per worker) are the parallelism, not PyTorch's threads
    if address is not None and backend != "ray":
        _fail(f"--address={address} needs --backend ray")
    try:
        run_sweep(sweep, out, backend=backend, workers=workers, address=address, progress=not quiet)
    except (ConfigError, WorkloadError, FileNotFoundError) as err:
        _fail(str(err))
    click.echo((out / "summary.txt").read_text(), nl=False)
    click.echo(f"results written to {out}/ (results.parquet, results.csv, pareto.csv, PNG plots)")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)
