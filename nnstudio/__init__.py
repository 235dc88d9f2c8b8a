"""NN Studio: build, train, inspect and export neural networks by drawing them."""

__version__ = "0.1.0"
