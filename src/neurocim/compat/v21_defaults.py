"""NeuroSim V2.1's shipped `Param.cpp` values of its inference core, and the per-node data that core fixes."""

from __future__ import annotations

from neurocim.config.derived import V21_ACCESS_RESISTANCE_OHM, V21_SRAM_WIDTHS
from neurocim.tech.wires import V21_WIRE_WIDTH_NM

__all__ = ["V21_ACCESS_RESISTANCE_OHM", "V21_DEFAULTS", "V21_SRAM_TRANSISTOR_WIDTHS", "V21_WIRE_WIDTH_NM"]

# SRAM cell transistor widths in feature sizes (V2.1 sizes its 8 x 20 F^2 cell with them).
V21_SRAM_TRANSISTOR_WIDTHS = dict(
    zip(("widthSRAMCellNMOS", "widthSRAMCellPMOS", "widthAccessCMOS"), V21_SRAM_WIDTHS, strict=True)
)

# The shipped values (DNN_NeuroSim_V2.1 Training_pytorch/NeuroSIM/Param.cpp) of every name of the inference core.
V21_DEFAULTS: dict[str, object] = {
    "operationmode": 2,
    "memcelltype": 3,
    "accesstype": 1,
    "transistortype": 1,
    "deviceroadmap": 2,
    "globalBufferType": False,
    "globalBufferCoreSizeRow": 128,
    "globalBufferCoreSizeCol": 128,
    "tileBufferType": False,
    "tileBufferCoreSizeRow": 32,
    "tileBufferCoreSizeCol": 32,
    "peBufferType": False,
    "chipActivation": True,
    "reLu": True,
    "novelMapping": True,
    "SARADC": False,
    "currentMode": True,
    "pipeline": False,
    "speedUpDegree": 1,
    "algoWeightMax": 1.0,
    "algoWeightMin": -1.0,
    "clkFreq": 1e9,
    "temp": 300,
    "technode": 32,
    "featuresize": 40e-9,
    "wireWidth": 40,
    "globalBusDelayTolerance": 0.1,
    "localBusDelayTolerance": 0.1,
    "treeFoldedRatio": 4.0,
    "maxGlobalBusWidth": 8192,
    "numRowSubArray": 128,
    "numColSubArray": 128,
    "relaxArrayCellHeight": 0,
    "relaxArrayCellWidth": 0,
    "numColMuxed": 8,
    "levelOutput": 64,
    "cellBit": 5,
    "heightInFeatureSizeSRAM": 8.0,
    "widthInFeatureSizeSRAM": 20.0,
    "widthSRAMCellNMOS": 2.08,
    "widthSRAMCellPMOS": 1.23,
    "widthAccessCMOS": 1.31,
    "minSenseVoltage": 0.1,
    "heightInFeatureSize1T1R": 4.0,
    "widthInFeatureSize1T1R": 4.0,
    "heightInFeatureSizeCrossbar": 2.0,
    "widthInFeatureSizeCrossbar": 2.0,
    "resistanceOn": 240e3,
    "resistanceOff": 240e3 * 100,
    "maxConductance": 1 / 240e3,
    "minConductance": 1 / (240e3 * 100),
    "nonlinearIV": False,
    "nonlinearity": 10.0,
    "writeVoltage": 4.0,
    "readVoltage": 0.5,
    "readPulseWidth": 10e-9,
    "accessVoltage": 1.1,
    "resistanceAccess": 15e3,
    "synapseBit": 5,
    "numBitInput": 8,
}
