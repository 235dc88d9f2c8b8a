"""Teaching mode's panels: neurons, truth tables, perceptron, backpropagation stepper, decision map, lessons."""
