"""The sub-array and its read path: geometry, periphery parts, read statistics and the compiled read kernel."""
