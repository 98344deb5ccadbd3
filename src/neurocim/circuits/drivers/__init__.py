"""Drivers and decoders: row decoders, WL drivers, switch matrices, multiplexers and column units."""
