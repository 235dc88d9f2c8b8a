"""A project's data ready to train on, and the one place that loads it (without torch, so the window can)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..analysis import DataContext
from ..i18n import tr
from .prepare import PreparedData, data_context, prepare, split_indices
from .table import Table


@dataclass
class ProjectData:
    """A project's table, split and scaled, plus what the data tells the analysis."""

    table: Table
    prepared: PreparedData
    context: DataContext


class TableCache:
    """The last table read, kept while its source stays the same (tables can be hundreds of MB: one only).

    The window's session and its Data panel share one cache, so a dataset is read from disk once.
    """

    def __init__(self) -> None:
        self._key: Optional[str] = None
        self._table: Optional[Table] = None

    @staticmethod
    def key(source: Any, base_dir: Optional[Path]) -> str:
        return json.dumps([source, str(base_dir)], sort_keys=True, default=str)

    def get(self, source: Any, base_dir: Optional[Path]) -> Optional[Table]:
        """The cached table for this source, or None."""
        return self._table if self._key == self.key(source, base_dir) else None

    def put(self, source: Any, base_dir: Optional[Path], table: Table) -> None:
        self._key, self._table = self.key(source, base_dir), table

    def clear(self) -> None:
        self._key, self._table = None, None

    def load(self, source: Any, base_dir: Optional[Path]) -> Table:
        """The table for this source: from the cache, else read (raises DataError with the reader's message)."""
        from . import load_source  # noqa: PLC0415 - the loaders import this module's package

        table = self.get(source, base_dir)
        if table is None:
            self.clear()  # let the old table go before the new one is read
            table = load_source(source, base_dir)
            self.put(source, base_dir, table)
        return table


def load_project_data(project: Any, cache: Optional[TableCache] = None) -> ProjectData:
    """Read, bind, split and scale a project's data; raises DataError in plain words.

    `project` is a core Project; a cache avoids reading an unchanged source again. When the table was read but
    cannot be used as bound, the DataError carries `context` (what the data says), so the analysis can still show
    on the nodes why the network does not fit it (a yes/no Output on a 3-class target).
    """
    from ..settings import SettingsError  # noqa: PLC0415
    from . import DataError, load_source  # noqa: PLC0415
    from .downloads import DatasetNotDownloaded  # noqa: PLC0415
    from .stand_in import stand_in_table  # noqa: PLC0415

    if not project.data.source:
        raise DataError(tr("This project has no data yet: choose a dataset in the Data panel."))
    graph = project.graph.to_dict()
    try:
        if cache is not None:
            table = cache.load(project.data.source, project.base_dir)
        else:
            table = load_source(project.data.source, project.base_dir)
    except DatasetNotDownloaded as exc:
        # A course example opened before its download: the analysis still learns the dataset's shape and classes
        # (10 units, 28×28), so the drawing and the Issues list do not guess while the Data panel offers Download.
        stand_in = stand_in_table(exc.key)
        if stand_in is not None:
            exc.context = data_context(stand_in, graph)
        raise
    context = data_context(table, graph)
    try:
        prepared = prepare(table, graph, project.data)
    except (DataError, SettingsError) as exc:
        error = DataError(str(exc))
        error.context = context
        raise error from None
    return ProjectData(table, prepared, context)


def split_sizes(table: Table, settings: Any) -> tuple[int, int, int]:
    """How many rows training, validation and test get, as `prepare` splits them (for the Data panel to say)."""
    if table.whole_is_every_split:
        return table.n_rows, table.n_rows, table.n_rows
    train, validation, test = split_indices(table.n_rows, settings, None, table.test_rows)
    return len(train), len(validation), len(test)
