"""PyTorch side of NN Studio: compile a drawn graph to a module, train it, score it (never imports Qt)."""

from .builders import BUILDERS
from .callbacks import BestCheckpoint, Callback, EarlyStopping
from .compiler import CompileError, GraphModule, compile_graph
from .training import History, PartLike, Trainer

__all__ = ["BUILDERS", "BestCheckpoint", "Callback", "CompileError", "EarlyStopping", "GraphModule", "History",
           "PartLike", "Trainer", "compile_graph"]
