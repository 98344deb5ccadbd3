"""What on-chip training costs per epoch: forward, activation gradient, weight gradient, weight update, DRAM."""
