"""A workload's derived results stay within their byte budget, dropping the least recently used, and never go stale."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocim.workload.derived import DerivedResults, approx_nbytes


def test_array_bytes_are_counted_inside_records_and_containers():
    @dataclasses.dataclass(frozen=True)
    class Stats:
        weight: np.ndarray
        pieces: tuple

    value = Stats(np.zeros(1000), (np.zeros(10, np.float32), 2.5))
    assert 8000 + 40 <= approx_nbytes(value) < 8000 + 40 + 1000
    assert approx_nbytes({"a": np.zeros(5, np.uint8)}) >= 5


def test_the_least_recently_used_results_go_first():
    results = DerivedResults(budget_bytes=3 * approx_nbytes(np.zeros(100)))
    for k in range(3):
        results.put(("layer",), k, np.zeros(100))
    assert results.get(("layer",), 0, lambda: pytest.fail("kept")) is not None  # 0 is now the most recent
    results.put(("layer",), 3, np.zeros(100))
    assert (("layer",), 1) not in results and all((("layer",), k) in results for k in (0, 2, 3))
    assert results.nbytes <= results.budget_bytes


def test_a_result_larger_than_the_budget_is_kept_alone():
    results = DerivedResults(budget_bytes=100)
    results.put(("a",), "small", 1)
    big = results.get(("a",), "big", lambda: np.zeros(1000))
    assert len(results) == 1 and (("a",), "big") in results and big.size == 1000


def test_a_pinned_block_keeps_what_it_uses_and_the_next_block_drops_it_first():
    size = approx_nbytes(np.zeros(100))
    results = DerivedResults(budget_bytes=2 * size)
    results.put(("old",), 0, np.zeros(100))
    with results.pinned():  # an estimate whose working set is larger than the budget
        for k in range(4):
            results.put(("a",), k, np.zeros(100))
        with results.pinned():  # nested: the same block
            results.get(("a",), 0, lambda: pytest.fail("kept"))
    assert (("old",), 0) not in results and len(results) == 4 and results.nbytes == 4 * size
    with results.pinned():
        results.get(("a",), 3, lambda: pytest.fail("kept"))  # used again: kept
        results.put(("b",), 0, np.zeros(100))
    assert [k for k in range(4) if (("a",), k) in results] == [3] and (("b",), 0) in results
    results.put(("c",), 0, np.zeros(100))  # outside blocks: the budget again
    assert len(results) == 2 and results.nbytes == 2 * size


def test_dropping_an_owner_drops_its_results_and_those_of_arrays_derived_from_it():
    results = DerivedResults()
    results.put(("layer", "digits"), 1, "x")
    results.put(("layer", "digits", "derived", 3), 1, "y")
    results.put(("layer", "inputs"), 1, "z")
    results.drop(("layer", "digits"))
    assert results.owners == [("layer", "inputs")] and len(results) == 1
    assert results.nbytes == approx_nbytes("z")


def test_put_keeps_the_first_result():
    results = DerivedResults()
    assert results.put(("a",), 1, "first") == "first"
    assert results.put(("a",), 1, "second") == "first"


@settings(max_examples=80, deadline=None)
@given(
    budget=st.integers(0, 4000),
    ops=st.lists(
        st.tuples(st.sampled_from(["get", "drop"]), st.integers(0, 3), st.integers(0, 8), st.integers(0, 600))
    ),
)
def test_the_results_follow_a_plain_least_recently_used_model(budget, ops):
    """The oracle: an ordered dict of (owner, key) -> kept value, oldest first, trimmed from the front after every
    insert while its sizes exceed the budget."""
    results, model = DerivedResults(budget), OrderedDict()
    for op, owner, key, size in ops:
        if op == "drop":
            results.drop((owner,))
            for k in [k for k in model if k[0] == (owner,)]:
                del model[k]
            continue
        got = results.get((owner,), key, lambda n=size: np.zeros(n, np.uint8))
        if ((owner,), key) in model:
            model.move_to_end(((owner,), key))
        else:
            model[(owner,), key] = got
            while sum(map(approx_nbytes, model.values())) > budget and len(model) > 1:
                model.popitem(last=False)
        assert got is model[(owner,), key]
        assert all(k in results for k in model) and len(results) == len(model)
        assert results.nbytes == sum(map(approx_nbytes, model.values()))
