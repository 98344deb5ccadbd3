"""The cost half keeps no module-level mutable caches: only constant tables of the package's data, read-only."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
from types import MappingProxyType

import pytest

import neurocim.arch
import neurocim.circuits
from neurocim.circuits.adc import adc_fits
from neurocim.workload.cache import WorkloadCache

# functools caches allowed at module level: constants of the package's data, returned as immutable values
CONSTANT_TABLES = {
    "neurocim.circuits.adc.adc_fits._table",
    "neurocim.circuits.adc.adc_fits.mlsa_latency_fit",
    "neurocim.circuits.adc.adc_fits.mlsa_lstp_power_fit",
    "neurocim.circuits.adc.mlsa_timing_v21._monotone_breaks",
}


def _modules(package) -> list[str]:
    return [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


def test_the_cost_half_has_no_module_level_function_caches_besides_constant_tables():
    found = set()
    for name in _modules(neurocim.arch) + _modules(neurocim.circuits):
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if callable(value) and hasattr(value, "cache_info") and getattr(value, "__module__", None) == name:
                found.add(f"{name}.{attr}")
    assert found <= CONSTANT_TABLES, sorted(found - CONSTANT_TABLES)


def test_characterisation_tables_are_read_only():
    table = adc_fits._table("mlsa_tables.json")
    assert isinstance(table, MappingProxyType)
    with pytest.raises(TypeError):
        table["static_power"] = {}  # type: ignore[index]
    row = table["static_power"]["lstp_current"]["22"]
    assert isinstance(row["breaks"], tuple)


def test_a_workload_cache_looks_up_the_blas_libraries_once_and_not_in_a_copy():
    cache = WorkloadCache()
    assert cache.blas_controller() is cache.blas_controller()
    copy = pickle.loads(pickle.dumps(cache))
    assert copy._blas is None and copy.blas_controller() is not cache.blas_controller()
