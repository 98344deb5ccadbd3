"""Analog-to-digital read-out: sense amplifiers, flash/MLSA and SAR converters and their fitted tables."""
