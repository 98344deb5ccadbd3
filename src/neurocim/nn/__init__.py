"""CIM layers, model conversion and calibration: the accuracy half's view of a network on a CIM chip."""

from neurocim.nn.base import CIMLayer, LayerMode
from neurocim.nn.convert import calibrate_, cim_layers, clone_converted, convert_, resample_devices_, set_mode_
from neurocim.nn.evaluate import evaluate, evaluate_converted
from neurocim.nn.layers import CIMConv2d, CIMLinear
from neurocim.nn.settings import Lattice, LayerSettings, lattice_for, resolve_settings

__all__ = [
    "CIMConv2d",
    "CIMLayer",
    "CIMLinear",
    "LayerMode",
    "LayerSettings",
    "Lattice",
    "calibrate_",
    "cim_layers",
    "clone_converted",
    "convert_",
    "evaluate",
    "evaluate_converted",
    "lattice_for",
    "resample_devices_",
    "resolve_settings",
    "set_mode_",
]
