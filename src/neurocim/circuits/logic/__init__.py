"""Digital logic: adders, adder trees, shifters, flip-flops, pooling and activation units."""
