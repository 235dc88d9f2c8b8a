"""The run history: one row per finished run (settings, final numbers), with boxes to overlay runs on the curves."""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.i18n import N_, tr
from ...core.runs import RunRecord
from ...core.settings import OPTIMIZERS
from ..editing.document import Document
from .session import TrainingSession
from .tensorboard_export import EXPORT_TEXT, TensorBoardExport

# Column titles and endings are shown with tr() (N_ only marks them: they are defined before a language is chosen).
COLUMNS = (N_("Show"), "#", N_("When"), N_("Optimizer"), N_("Learning rate"), N_("Batch"), N_("Epochs"), N_("Seed"),
           N_("Loss"), N_("Val loss"), N_("Best epoch"), N_("Test"), N_("Seconds"), N_("How it ended"))
NUMBER_COLUMN = COLUMNS.index("#")
SORT_KEY = Qt.ItemDataRole.UserRole + 1   # what a column sorts by: numbers as numbers, not as text
ENDINGS = {"completed": N_("finished"), "early_stopping": N_("stopped early"), "stopped": N_("stopped by you"),
           "diverged": N_("diverged (NaN)")}


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"


def _last(history: dict, key: str) -> Any:
    values = history.get(key) or []
    return values[-1] if values else None


class _SortableItem(QTableWidgetItem):
    """A cell that sorts by its SORT_KEY (so 10 comes after 9, and "—" after every number)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_KEY), other.data(SORT_KEY)
        return _rank(mine) < _rank(theirs)


def _rank(value: Any) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value or ""))


def _first_score(test: dict) -> Any:
    """The number headline_test_score shows first, to sort by."""
    for metrics in (test or {}).values():
        for key in ("accuracy", "r2"):
            if isinstance(metrics.get(key), (int, float)):
                return metrics[key]
    return None


def headline_test_score(test: dict) -> str:
    """The headline test number of a run: accuracy for classes, R² for values (per output when several)."""
    parts = []
    for name, metrics in (test or {}).items():
        for key, label in (("accuracy", tr("accuracy")), ("r2", "R²")):
            if isinstance(metrics.get(key), (int, float)):
                parts.append(f"{name + ' ' if len(test) > 1 else ''}{label} {metrics[key]:.3f}")
                break
    return ", ".join(parts) or "—"


class RunsPanel(QWidget):
    """Lists `document.project.runs`; ticking a row overlays that run's curves."""

    overlays_changed = Signal(list)   # the ticked runs: (number, RunRecord) pairs

    def __init__(self, document: Document, session: TrainingSession, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("runsPanel")
        self.document = document
        self.session = session
        self._filling = False
        self._emitted: list[int] = []   # the run numbers last sent to the curves
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel(tr("Runs of this project (tick one to compare it with the live curves)"))
        layout.addWidget(self.title)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("runsTable")
        self.table.setHorizontalHeaderLabels([tr(title) for title in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # Click a column's title to sort the runs by it (newest first to begin with).
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(NUMBER_COLUMN, Qt.SortOrder.DescendingOrder)
        layout.addWidget(self.table)
        self.tensorboard = TensorBoardExport(document, self)
        self.tensorboard_button = QPushButton(tr(EXPORT_TEXT))
        self.tensorboard_button.setObjectName("exportTensorBoardButton")
        self.tensorboard_button.setToolTip(tr("Write the selected runs (or all) as TensorBoard logs"))
        self.tensorboard_button.clicked.connect(self.export_to_tensorboard)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.tensorboard_button)
        layout.addLayout(buttons)
        self.table.itemChanged.connect(self._item_changed)
        session.runs_changed.connect(self._runs_changed)
        document.project_replaced.connect(self.refresh)
        self.refresh()

    def _runs_changed(self) -> None:
        """A run was added: one new row on top (a finished run must not cost a rebuild of the whole table)."""
        runs = self.document.project.runs
        rows = self.table.rowCount()
        top = self.table.item(0, 0) if rows else None
        if len(runs) != rows + 1 or (rows and int(top.data(Qt.ItemDataRole.UserRole)) != rows):
            self.refresh()
            return
        self._filling = True
        self.table.setSortingEnabled(False)   # rows would move while their cells are filled
        try:
            self.table.insertRow(0)
            self._fill_row(0, len(runs), runs[-1], ticked=False)
        finally:
            self.table.setSortingEnabled(True)
            self._filling = False
        self._show_title()
        self._emit_overlays(only_if_changed=True)

    def refresh(self) -> None:
        """Rebuild the table from the project's runs, newest first, keeping the ticks."""
        ticked = set(self.ticked_numbers())
        runs = self.document.project.runs
        self._filling = True
        self.table.setSortingEnabled(False)   # rows would move while their cells are filled
        try:
            self.table.setRowCount(len(runs))
            for row, (number, run) in enumerate(reversed(list(enumerate(runs, start=1)))):
                self._fill_row(row, number, run, number in ticked)
        finally:
            self.table.setSortingEnabled(True)
            self._filling = False
        self._show_title()
        self._emit_overlays()

    def _show_title(self) -> None:
        runs = self.document.project.runs
        if runs:
            self.title.setText(tr("Runs of this project: {count} (tick one to compare it with the live curves)",
                                  count=len(runs)))
        else:
            self.title.setText(tr("Runs of this project: {count} — each finished run is added here", count=0))

    def _fill_row(self, row: int, number: int, saved: dict, ticked: bool) -> None:
        run = RunRecord.from_dict(saved)
        settings, history = run.settings, run.history
        when = run.when.replace("T", " ")
        learning_rate, seed = settings.get("learning_rate"), settings.get("seed")
        loss, val_loss = _last(history, "loss"), _last(history, "val_loss")
        # (text shown, value sorted by) per column
        cells = [("", number), (str(number), number), (when[:16], when),
                 (tr(OPTIMIZERS[settings.get("optimizer")]) if settings.get("optimizer") in OPTIMIZERS
                  else str(settings.get("optimizer", "—")), None),
                 (f"{learning_rate:g}" if isinstance(learning_rate, (int, float)) else "—", learning_rate),
                 (str(settings.get("batch_size", "—")), settings.get("batch_size")),
                 (str(run.epochs_run), run.epochs_run),
                 (str(seed) if seed is not None else "—", seed),
                 (_number(loss), loss), (_number(val_loss), val_loss),
                 (str(run.best_epoch) if run.best_epoch is not None else "—", run.best_epoch),
                 (headline_test_score(run.test), _first_score(run.test)),
                 (f"{run.seconds:.1f}" if run.seconds is not None else "—", run.seconds),
                 (tr(ENDINGS[run.stop_reason]) if run.stop_reason in ENDINGS else run.stop_reason, None)]
        for column, (text, key) in enumerate(cells):
            item = _SortableItem(text)
            item.setData(Qt.ItemDataRole.UserRole, number)
            item.setData(SORT_KEY, key if key is not None else text)
            if column == 0:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                              | Qt.ItemFlag.ItemIsSelectable)
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                item.setToolTip(tr("Show this run's curves (dashed) behind the live ones"))
            if run.message:
                item.setToolTip(item.toolTip() or run.message)
            self.table.setItem(row, column, item)

    def ticked_numbers(self) -> list[int]:
        numbers = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                numbers.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return numbers

    def selected_numbers(self) -> list[int]:
        """The runs whose rows are selected (their numbers, 1 = the first run)."""
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return sorted(int(self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)) for row in rows)

    def export_to_tensorboard(self) -> Optional[QWidget]:
        """Export the selected runs, or all of them, and show the command that opens them (tensorboard_export)."""
        return self.tensorboard.export(self.selected_numbers())

    def set_ticked(self, number: int, ticked: bool) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if int(item.data(Qt.ItemDataRole.UserRole)) == number:
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() == 0:
            self._emit_overlays()

    def _emit_overlays(self, only_if_changed: bool = False) -> None:
        runs = self.document.project.runs
        numbers = [n for n in sorted(self.ticked_numbers()) if 0 < n <= len(runs)]
        if only_if_changed and numbers == self._emitted:
            return  # the curves already show these runs (often none): no rebuild and redraw of their overlays
        self._emitted = numbers
        self.overlays_changed.emit([(n, RunRecord.from_dict(runs[n - 1])) for n in numbers])
