"""Off-chip DRAM traffic of training: activations and their gradients per phase, weight gradients out and back."""

from __future__ import annotations

from dataclasses import dataclass

from neurocim.config.derived import Derived
from neurocim.config.training_hw import DramConfig
from neurocim.workload.network import Layer


@dataclass(frozen=True)
class Dram:
    """An off-chip memory: time and energy are proportional to the bits moved (NeuroSim V2.1 DRAM.cpp)."""

    bandwidth_bit_per_s: float
    energy_per_bit_j: float

    @classmethod
    def from_config(cls, config: DramConfig) -> Dram:
        return cls(*config.bandwidth_and_energy)

    def latency_s(self, bits: float) -> float:
        return bits / self.bandwidth_bit_per_s

    def energy_j(self, bits: float) -> float:
        return bits * self.energy_per_bit_j


@dataclass(frozen=True)
class LayerDram:
    """One layer's DRAM time and energy per image, by phase, and what the breakdown reports as DRAM."""

    forward: tuple[float, float]  # (latency s, energy J)
    activation_gradient: tuple[float, float]
    weight_gradient: tuple[float, float]  # activations and errors in, gradients out and back
    reported: tuple[float, float]  # the DRAM entry of the breakdown


def activation_bits(layer: Layer, p: Derived) -> float:
    """Bits of one layer's input feature map (or of its gradient) moved to or from DRAM."""
    bits = layer.ifm_h * layer.ifm_w * p.chip.precision.input_bits
    return float(bits if p.quirk("v21_dram_activations_without_channels") else bits * layer.in_channels)


def weight_gradient_bits(layer: Layer, gradient_bits: int) -> float:
    """Bits of one layer's weight gradients at the weight-gradient unit's output precision."""
    return float(layer.rows * layer.out_channels * gradient_bits)


def layer_dram(dram: Dram, layer: Layer, first: bool, p: Derived, gradient_bits: int) -> LayerDram:
    """Per image: each phase stores its layer's input (or input gradient) and reads it back (two transfers); the first
    layer has no activation-gradient pass; the weight-gradient phase also writes its gradients out and reads them
    back before the update."""
    act = activation_bits(layer, p)
    grad = weight_gradient_bits(layer, gradient_bits)
    t_act, e_act = dram.latency_s(act), dram.energy_j(act)
    t_grad, e_grad = dram.latency_s(grad), dram.energy_j(grad)
    forward = (2 * t_act, 2 * e_act)
    backward = (0.0, 0.0) if first else (2 * t_act, 2 * e_act)
    gradient = (2 * t_act + 2 * t_grad, 2 * e_act + 2 * e_grad)
    if p.quirk("v21_dram_breakdown_six_by_six"):
        factor = 6 * (4 if first else 6)
        reported = (factor * t_act + 2 * t_grad, factor * e_act + 2 * e_grad)
    else:
        reported = (forward[0] + backward[0] + gradient[0], forward[1] + backward[1] + gradient[1])
    return LayerDram(forward, backward, gradient, reported)
