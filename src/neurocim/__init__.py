"""neurocim: end-to-end benchmarking of compute-in-memory deep-learning accelerators."""

__version__ = "0.1.0"
