"""On-chip memories: the register-file and SRAM buffers."""
