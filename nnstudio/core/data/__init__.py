"""The data layer: load datasets as float32 tables (pure numpy) and prepare them for a network."""

from .builtin import BUILTINS, BuiltinInfo, load_builtin
from .csv_loader import load_csv
from .idx_loader import load_idx
from .npz_loader import load_npz
from .prepare import Binding, Part, PreparedData, bind_columns, data_context, prepare, resolve_binding
from .sources import describe_source, load_source
from .table import DataError, Table

__all__ = ["BUILTINS", "Binding", "BuiltinInfo", "DataError", "Part", "PreparedData", "Table", "bind_columns",
           "data_context", "describe_source", "load_builtin", "load_csv", "load_idx", "load_npz", "load_source",
           "prepare", "resolve_binding"]
