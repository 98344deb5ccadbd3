"""BLAS threading for the read pass: many small matrix products run fastest on one thread each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController


@contextmanager
def single_threaded_blas(controller: ThreadpoolController | None = None) -> Iterator[None]:
    """Limit BLAS to one thread inside the block.

    The column-resistance products are (vectors x 128) @ (128 x columns) with a few hundred to a few thousand
    vectors: a second BLAS thread adds synchronisation that costs more than it saves (up to 25x slower on a
    busy machine), so the chip evaluation keeps them on the calling thread. `controller`: the libraries as its
    owner (a prepared workload's cache) looked them up; by default they are looked up now (about half a millisecond).
    """
    with (controller or ThreadpoolController()).limit(limits=1, user_api="blas"):
        yield
