"""The Ray backend: one actor per worker, each taking the workload once from Ray's object store."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, cast

from neurocim.config.chip import ChipConfig
from neurocim.config.io import ConfigError
from neurocim.config.run import RunConfig
from neurocim.explore.accuracy_eval import AccuracyOutcome, evaluate_accuracies
from neurocim.explore.backends import one_core_worker
from neurocim.explore.batches import gather, split
from neurocim.explore.costing import CostOutcome, Workload, cost_points

if TYPE_CHECKING:
    from ray.actor import ActorHandle


class _Worker:
    """A Ray actor's state: the workload, fetched once from the object store and prepared once."""

    def __init__(self, workload: Workload) -> None:
        one_core_worker()  # the actors are the parallelism
        self.prepared = workload.prepared()

    def cost(self, chips: list[ChipConfig]) -> list[CostOutcome]:
        return cost_points(self.prepared, chips)

    def accuracy(self, configs: list[RunConfig]) -> list[AccuracyOutcome]:
        return evaluate_accuracies(configs)


class RayBackend:
    """Points as Ray actor calls: a local Ray (`ray.init()`) by default, or the cluster at `address`."""

    def __init__(self, workload: Workload, workers: int, address: str | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ConfigError("backend=ray needs Ray: pip install 'neurocim[ray]'") from None
        self._ray = ray
        self._owns = not ray.is_initialized()
        if self._owns:
            options = {"address": address} if address else {"num_cpus": workers}
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False, **options)
        self.workers = workers
        shared = ray.put(workload)  # one copy in the object store; every actor reads it from there
        actor = ray.remote(num_cpus=1)(_Worker)
        # remote() returns a handle; Ray's annotation adds the class itself (for editors' method completion)
        self._actors = [cast("ActorHandle[_Worker]", actor.remote(shared)) for _ in range(workers)]

    def _map(self, method: str, items: Sequence, keys: Sequence[Hashable] | None = None) -> list:
        parts, indices = split(items, keys, len(self._actors))
        futures = [getattr(a, method).remote(p) for a, p in zip(self._actors, parts, strict=False)]
        return gather(indices, self._ray.get(futures))

    def cost(self, chips: Sequence[ChipConfig], keys: Sequence[Hashable] | None = None) -> list[CostOutcome]:
        return self._map("cost", chips, keys)

    def accuracy(self, configs: Sequence[RunConfig]) -> list[AccuracyOutcome]:
        return self._map("accuracy", configs)

    def close(self) -> None:
        for a in self._actors:
            self._ray.kill(a)
        if self._owns:
            self._ray.shutdown()
