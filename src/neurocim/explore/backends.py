"""Where points are computed: in this process, a local process pool, or Ray tasks sharing the workload."""

from __future__ import annotations

import multiprocessing
from collections.abc import Hashable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Protocol

from neurocim.config.chip import ChipConfig
from neurocim.config.io import ConfigError
from neurocim.config.run import RunConfig
from neurocim.explore.accuracy_eval import AccuracyOutcome, evaluate_accuracies
from neurocim.explore.batches import chunks, gather, split
from neurocim.explore.costing import CostOutcome, Workload, cost_points

if TYPE_CHECKING:
    from neurocim.workload.prepared import PreparedWorkload

BACKENDS = ("local", "ray")


class Backend(Protocol):
    """Computes batches of points; results come back in the order given. `keys` (one per chip: its read setting,
    `()` for the base chip's) lets a parallel backend give the chips of one read setting to one worker."""

    workers: int

    def cost(self, chips: Sequence[ChipConfig], keys: Sequence[Hashable] | None = None) -> list[CostOutcome]: ...

    def accuracy(self, configs: Sequence[RunConfig]) -> list[AccuracyOutcome]: ...

    def close(self) -> None: ...


def check_backend_options(name: str, workers: int, address: str | None) -> None:
    """Refuse an unknown backend, a worker count below one, or an address without Ray."""
    if name not in BACKENDS:
        raise ConfigError(f"backend={name!r} is unknown; allowed: {', '.join(BACKENDS)}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"workers={workers!r} must be an integer >= 1")
    if address is not None and name != "ray":
        raise ConfigError(f"address={address!r} is for backend=ray only (backend={name})")


def open_backend(name: str, workload: Workload, workers: int = 1, address: str | None = None) -> Backend:
    """The backend `name` (local | ray) with `workers` workers, each holding the workload once."""
    check_backend_options(name, workers, address)
    if name == "ray":
        from neurocim.explore.ray_backend import RayBackend

        return RayBackend(workload, workers, address)
    return InProcess(workload) if workers == 1 else ProcessPool(workload, workers)


class InProcess:
    """Everything in the calling process (one worker; no start-up cost)."""

    workers = 1

    def __init__(self, workload: Workload) -> None:
        self.prepared = workload.prepared()

    def cost(self, chips: Sequence[ChipConfig], keys: Sequence[Hashable] | None = None) -> list[CostOutcome]:
        return cost_points(self.prepared, chips)

    def accuracy(self, configs: Sequence[RunConfig]) -> list[AccuracyOutcome]:
        return evaluate_accuracies(configs)

    def close(self) -> None:
        pass


# The workload of a pool worker process, set once by the pool's initializer when the process starts (the
# process-pool idiom for per-worker state: the workload is sent once per worker, not once per task). It is only
# ever set inside worker processes, never read or written in the calling process.
_POOL_WORKLOAD: list[PreparedWorkload] = []


def one_core_worker() -> None:
    """Set up a worker process to compute on one core (the workers are the parallelism): one PyTorch thread, one
    numba thread for the compiled read pass (whose sums do not depend on its threads), and idle threads that sleep
    rather than spin, as the command line sets them."""
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when the threading layer starts: before its first use
    import numba
    import torch

    torch.set_num_threads(1)
    numba.set_num_threads(1)


def _init_pool_worker(workload: Workload) -> None:
    one_core_worker()
    _POOL_WORKLOAD.append(workload.prepared())


def _pool_cost(chips: list[ChipConfig]) -> list[CostOutcome]:
    return cost_points(_POOL_WORKLOAD[0], chips)


class ProcessPool:
    """A local pool of `workers` spawned processes, each given the workload once when it starts (and preparing it)."""

    def __init__(self, workload: Workload, workers: int) -> None:
        self.workers = workers
        context = multiprocessing.get_context("spawn")  # no fork of a process that holds torch threads
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_pool_worker,
                                         initargs=(workload,))  # fmt: skip

    def cost(self, chips: Sequence[ChipConfig], keys: Sequence[Hashable] | None = None) -> list[CostOutcome]:
        parts, indices = split(chips, keys, self.workers)
        return gather(indices, list(self._pool.map(_pool_cost, parts)))

    def accuracy(self, configs: Sequence[RunConfig]) -> list[AccuracyOutcome]:
        parts = chunks(configs, self.workers)
        return [outcome for part in self._pool.map(evaluate_accuracies, parts) for outcome in part]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
