"""Weight-update (programming pulse) models of synaptic devices, for on-chip training."""

from __future__ import annotations

from neurocim.devices.update.models import DeviceMap, PulseResponse, draw_device_map
from neurocim.devices.update.pulse_table import ExponentialFit, PulseTable, fit_exponential, read_pulse_table

__all__ = ["DeviceMap", "ExponentialFit", "PulseResponse", "PulseTable", "draw_device_map", "fit_exponential",
           "read_pulse_table"]
