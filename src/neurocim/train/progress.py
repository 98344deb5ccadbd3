"""A progress bar for training (rich, on stderr) with the time remaining."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(enabled: bool, total: int | None) -> Iterator:
    """Yields advance(steps, description or None); does nothing when not enabled."""
    if not enabled:
        yield lambda steps, description: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    console = Console(stderr=True)
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("training", total=total)

        def advance(steps: int, description: str | None) -> None:
            bar.update(task, advance=steps, description=description or None)
            if description:
                bar.console.print(description)

        yield advance
