"""Signs of life for long work: a rich spinner on stderr when it is a terminal, nothing otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def status(message: str, enabled: bool = True) -> Iterator[None]:
    """Show `message` with a spinner and the elapsed time while the block runs (terminal only)."""
    if not enabled:
        yield
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield
