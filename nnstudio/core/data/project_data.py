"""A project's data ready to train on, defined without torch so the window can load data before torch is needed."""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import DataContext
from .prepare import PreparedData
from .table import Table


@dataclass
class ProjectData:
    """A project's table, split and scaled, plus what the data tells the analysis."""

    table: Table
    prepared: PreparedData
    context: DataContext
