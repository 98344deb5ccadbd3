"""BLAS threading for the read pass: many small matrix products run fastest on one thread each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread inside the block.

    The column-resistance products are (vectors x 128) @ (128 x columns) with a few hundred to a few thousand
    vectors: a second BLAS thread adds synchronisation that costs more than it saves (up to 25x slower on a
    busy machine), so the chip evaluation keeps them on the calling thread. The libraries are looked up on every
    call (about half a millisecond): one loaded since the last call is limited too.
    """
    with ThreadpoolController().limit(limits=1, user_api="blas"):
        yield
