"""The `neurocim` command line: a thin layer over the Python API."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from neurocim.config.io import ConfigError


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group()
@click.version_option(package_name="neurocim")
def main() -> None:
    """Benchmark compute-in-memory accelerators: accuracy and chip cost from one configuration."""


@main.command()
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option("--neurosim-params", type=click.Path(path_type=Path), help="JSON of NeuroSim Param.cpp names to values.")
@click.option("--network", required=True, type=click.Path(path_type=Path), help="NeuroSim network CSV.")
@click.option("--traces", required=True, type=click.Path(path_type=Path), help=".npz traces or a NeuroSim CSV folder.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Write the report as JSON here.")
def estimate(
    config: Path | None, neurosim_params: Path | None, network: Path, traces: Path, json_out: Path | None
) -> None:
    """Estimate area, latency, energy and efficiency of a CIM chip running a network."""
    from neurocim.estimate import estimate_from_files
    from neurocim.report.table import render_report

    if (config is None) == (neurosim_params is None):
        _fail("give exactly one of CONFIG.yaml or --neurosim-params PARAMS.json")
    try:
        report = estimate_from_files(config=config, neurosim_params=neurosim_params, network=network, traces=traces)
    except (ConfigError, ValueError, FileNotFoundError, ArithmeticError) as err:
        _fail(str(err))
    render_report(report)
    if json_out is not None:
        report.write_json(json_out)
        click.echo(f"report written to {json_out}")


if __name__ == "__main__":
    main()
