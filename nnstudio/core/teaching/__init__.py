"""Teaching mode's numbers, in pure numpy: neurons, backpropagation step by step, perceptron, truth tables, lessons."""
