"""The Evaluation panel: test-set scores per output, a confusion matrix with per-class scores, or a scatter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.data import DataError
from ...core.i18n import N_, ntr, tr
from ...core.metrics import (
    CLASSIFICATION_METRICS,
    CLASSIFICATION_TASKS,
    REGRESSION_METRICS,
    classification_scores,
    confusion_matrix,
    decide_classes,
    holds_logits,
    per_class_scores,
    regression_scores,
)
from ..editing.document import Document
from ..widgets.wheel_guard import wheel_only_when_focused

if TYPE_CHECKING:
    from ..training.session import TrainingSession

# The texts below are marked with N_ (they are defined before a language is chosen) and shown with tr().
EMPTY_TEXT = N_("Not trained yet: press Train, then see here how well the network does on the test rows: the rows "
                "it never saw while learning.")
NO_DATA_TEXT = N_("The project's data cannot be read now, so the network cannot be scored: see the Data panel.")
# A project with runs in its history but no trained model: it was saved without its weights (or they are gone).
WEIGHTS_NOT_SAVED_TEXT = N_("The trained weights were not saved with this project, so there is nothing to score. "
                            "Press Train to train the network again, then see how well it does on the test rows.")
CHANGED_TEXT = N_("The network was changed after it was trained, so there is nothing to score. Press Train to train "
                  "it again, then see how well it does on the test rows.")
CELL_TIP = N_("True class: {true} · predicted: {predicted} · {count} test rows ({share:.0f}% of the true class)")
SMALLEST_POINT_SIZE = 6.0   # below this the matrix's numbers are no longer readable
METRIC_TITLES = {"loss": N_("Loss"), "accuracy": N_("Accuracy"), "precision": N_("Precision"), "recall": N_("Recall"),
                 "f1": "F1", "mse": "MSE", "mae": "MAE", "r2": "R²"}
def _read_only_table(name: str, parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, 0, parent)
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setDefaultSectionSize(24)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def short_class_labels(names: list[str], metrics: QFontMetrics, room: int) -> list[str]:
    """The class names as headers when they are short enough for the matrix, else their numbers 0, 1, 2… (the
    full names are in the headers' tooltips)."""
    if all(metrics.horizontalAdvance(name) <= room for name in names):
        return list(names)
    return [str(k) for k in range(len(names))]


def cell_margin(table: QTableWidget) -> int:
    """The space a table's style leaves on each side of a cell's text (Qt's: focus-frame margin + 1)."""
    return table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1


class ConfusionTable(QTableWidget):
    """The confusion matrix: its rows and columns share the space it has (no scrolling, even for 10 classes), and
    its numbers take the largest font that fits in a cell."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(0, 0, parent)
        self.setObjectName("confusionMatrix")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setMinimumSectionSize(4)
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.base_point_size = self.font().pointSizeF()

    def fit_font(self) -> None:
        """The largest font (up to the usual one) in which every cell's text fits its cell."""
        items = [self.item(r, c) for r in range(self.rowCount()) for c in range(self.columnCount())]
        if not items or None in items:
            return   # still being filled
        width = min(self.columnWidth(c) for c in range(self.columnCount())) - 2 * cell_margin(self) - 2  # grid
        height = min(self.rowHeight(r) for r in range(self.rowCount())) - 2
        texts = [item.text() for item in items]
        font = QFont(self.font())
        size = self.base_point_size
        while True:
            font.setPointSizeF(size)
            metrics = QFontMetrics(font)
            if size <= SMALLEST_POINT_SIZE or (metrics.height() <= height
                                               and max(map(metrics.horizontalAdvance, texts)) <= width):
                break
            size -= 0.5
        for item in items:
            item.setFont(font)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit_font()


def _cell(text: str, align_right: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class EvaluationPanel(QWidget):
    """Filled after each run from the session's test predictions; an empty state before any run."""

    def __init__(self, document: Document, session: "TrainingSession", parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # noqa: PLC0415 - pyqtgraph loads slowly: only when the panel is built

        self.setObjectName("evaluationPanel")
        self.document = document
        self.session = session
        self.results: dict[str, dict] = {}       # output id -> what is shown (task, classes, matrix, ...)
        self._test_metrics: dict[str, dict] = {}  # output name -> the trainer's scores
        self._pending: Optional[tuple[Optional[dict]]] = None  # a refresh waiting for the panel to be shown

        layout = QVBoxLayout(self)
        self.empty_label = QLabel(tr(EMPTY_TEXT), self)
        self.empty_label.setObjectName("evaluationEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty_label)
        self.content = QWidget(self)
        layout.addWidget(self.content, 1)
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel(self.content)
        self.status_label.setObjectName("evaluationStatus")
        self.status_label.setWordWrap(True)
        content.addWidget(self.status_label)
        self.metrics_table = _read_only_table("testMetrics", self.content)
        content.addWidget(self.metrics_table)
        chooser = QHBoxLayout()
        self.output_label = QLabel(tr("Output:"), self.content)
        self.output_combo = QComboBox(self.content)
        wheel_only_when_focused(self.output_combo)  # scrolling past it must not change it
        self.output_combo.setObjectName("evaluationOutput")
        self.output_combo.currentIndexChanged.connect(self._show_selected_output)
        chooser.addWidget(self.output_label)
        chooser.addWidget(self.output_combo, 1)
        content.addLayout(chooser)

        self.pages = QStackedWidget(self.content)
        content.addWidget(self.pages, 1)
        classes_page = QWidget(self.pages)
        classes = QVBoxLayout(classes_page)
        classes.setContentsMargins(0, 0, 0, 0)
        # The matrix and the scores per class on tabs of their own: ten classes need all the height there is.
        self.class_tabs = QTabWidget(classes_page)
        self.class_tabs.setObjectName("classTabs")
        matrix_page = QWidget(self.class_tabs)
        matrix_layout = QVBoxLayout(matrix_page)
        matrix_layout.setContentsMargins(0, 0, 0, 0)
        self.normalised_check = QCheckBox(tr("Normalised: each row in % of its true class"), matrix_page)
        self.normalised_check.setObjectName("normalisedToggle")
        self.normalised_check.toggled.connect(self._show_selected_output)
        matrix_layout.addWidget(self.normalised_check)
        caption = QLabel(tr("Rows: the true class · columns: what the network predicted. The diagonal is right."),
                         matrix_page)
        caption.setWordWrap(True)
        matrix_layout.addWidget(caption)
        self.confusion_table = ConfusionTable(matrix_page)
        matrix_layout.addWidget(self.confusion_table, 1)
        self.class_tabs.addTab(matrix_page, tr("Confusion matrix"))
        self.per_class_table = _read_only_table("perClassScores", self.class_tabs)
        self.class_tabs.addTab(self.per_class_table, tr("Scores per class"))
        classes.addWidget(self.class_tabs, 1)
        self.pages.addWidget(classes_page)

        # The scatter is created once; each run only sets its points.
        self.scatter_plot = pg.PlotWidget(self.pages)
        self.scatter_plot.setObjectName("predictedVsActual")
        self.scatter_plot.setBackground("w")
        self.scatter_plot.setLabel("bottom", tr("Actual value"))
        self.scatter_plot.setLabel("left", tr("Predicted value"))
        self.scatter_plot.showGrid(x=True, y=True, alpha=0.2)
        self.perfect_line = pg.PlotDataItem(pen=pg.mkPen((150, 150, 150), width=1, style=Qt.PenStyle.DashLine))
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen(None), brush=pg.mkBrush(31, 119, 180, 150))
        self.scatter_plot.addItem(self.perfect_line)
        self.scatter_plot.addItem(self.scatter)
        self.pages.addWidget(self.scatter_plot)

        session.training_finished.connect(self._on_training_finished)
        session.model_changed.connect(self._on_model_changed)
        session.training_started.connect(self._on_training_started)
        session.data_changed.connect(self._on_data_changed)
        self._show_empty(True)
        self._catch_up()

    def _catch_up(self) -> None:
        """A panel built after a run (the Evaluate tab is built when first opened) shows that run's results."""
        last_result = self.session.last_result
        if self.session.model is None or self.session.is_training:
            return  # nothing trained yet, or a run in progress: its end will fill the panel
        self._refresh_when_seen(getattr(last_result, "test", None))

    # ------------------------------------------------------------ signals from the session
    def _show_empty(self, empty: bool) -> None:
        if empty:  # say why there is nothing, and what to do
            self.empty_label.setText(self._empty_text())
        self.empty_label.setVisible(empty)
        self.content.setVisible(not empty)

    def _empty_text(self) -> str:
        session = self.session
        if session.model is not None and session.data is None and not session.is_training:
            return tr(NO_DATA_TEXT)
        if session.model is None and not session.is_training and session.last_result is not None:
            return tr(CHANGED_TEXT)  # trained here, then the drawing changed: those weights no longer fit
        if session.model is None and not session.is_training and self.document.project.runs:
            return tr(WEIGHTS_NOT_SAVED_TEXT)
        return tr(EMPTY_TEXT)

    def _on_training_started(self) -> None:
        if self.results:
            self.status_label.setText(tr("Training is running: these are the scores of the previous run."))

    def _on_training_finished(self, result: Any) -> None:
        self._refresh_when_seen(getattr(result, "test", None))

    def _on_model_changed(self) -> None:
        if self.session.model is None:
            self._pending = None
            self.clear()
        elif not self.session.is_training:
            self._refresh_when_seen(None)

    def _refresh_when_seen(self, test_metrics: Optional[dict]) -> None:
        """Score the model now if the panel can be seen, else when it is shown: scoring the test rows and
        filling the tables for a hidden panel would hold up the window just as a run ends."""
        if self.isVisible() and not self.visibleRegion().isEmpty():
            self._pending = None
            self.refresh(test_metrics)
        elif self._pending is None or test_metrics is not None:
            self._pending = (test_metrics,)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._pending is not None:
            test_metrics = self._pending[0]
            self._pending = None
            self.refresh(test_metrics)

    def _on_data_changed(self) -> None:
        if self.results and self.session.data is None:
            self.status_label.setText(tr("The data changed and cannot be used now: these scores are from before."))

    def clear(self) -> None:
        self.results, self._test_metrics = {}, {}
        self._show_empty(True)

    # ------------------------------------------------------------ computing what to show
    def refresh(self, test_metrics: Optional[dict] = None) -> None:
        """Score the current model on the test rows and show it (test_metrics: the trainer's, if known)."""
        session = self.session
        data = session.data
        if data is None or session.model is None:
            self.clear()
            return
        try:
            predictions = session.test_predictions()
            if test_metrics is None:
                test_metrics = session.evaluate_test()
        except (DataError, ValueError, RuntimeError) as exc:
            self.clear()
            self.empty_label.setText(tr("The test rows could not be scored: {reason}", reason=exc))
            return
        if not predictions:
            self.clear()
            self.empty_label.setText(tr("This data has no test part: set a test fraction in the Data panel to "
                                        "keep some rows aside for a final check."))
            return
        self._test_metrics = dict(test_metrics or {})
        model = session.model
        self.results = {}
        for output_id, (targets, outputs) in predictions.items():
            node = self.document.graph.nodes.get(output_id)
            name = node.name if node is not None else getattr(model, "node_names", {}).get(output_id, output_id)
            task = data.prepared.tasks.get(output_id, "regression")
            entry: dict = {"name": name, "task": task, "rows": int(len(targets))}
            if task in CLASSIFICATION_TASKS:
                names = tuple(data.prepared.class_names.get(output_id, ()))
                count = max(len(names), 2 if task == "binary" else 1)
                config = getattr(model, "output_configs", {}).get(output_id)
                matrix = confusion_matrix(targets, decide_classes(outputs, task, holds_logits(config)), count)
                entry.update(classes=names or tuple(str(k) for k in range(count)), matrix=matrix,
                             scores=classification_scores(matrix))
            else:
                entry.update(targets=np.asarray(targets, dtype=np.float64).reshape(len(targets), -1),
                             predictions=np.asarray(outputs, dtype=np.float64).reshape(len(targets), -1))
                entry["scores"] = regression_scores(entry["targets"], entry["predictions"])
            self.results[output_id] = entry
        self._fill_metrics_table()
        self.output_combo.blockSignals(True)
        self.output_combo.clear()
        for output_id, entry in self.results.items():
            self.output_combo.addItem(entry["name"], output_id)
        self.output_combo.blockSignals(False)
        several = len(self.results) > 1
        self.output_label.setVisible(several)
        self.output_combo.setVisible(several)
        rows = next(iter(self.results.values()))["rows"]
        self.status_label.setText(ntr("Scores on the {n} test row, which the network never saw while learning.",
                                      "Scores on the {n} test rows, which the network never saw while learning.",
                                      rows))
        self._show_empty(False)
        self._show_selected_output()

    def _fill_metrics_table(self) -> None:
        keys: list[str] = ["loss"]
        for entry in self.results.values():
            wanted = CLASSIFICATION_METRICS if entry["task"] in CLASSIFICATION_TASKS else REGRESSION_METRICS
            keys += [k for k in wanted if k not in keys]
        table = self.metrics_table
        table.setMaximumHeight(16777215)
        table.clear()
        table.setColumnCount(1 + len(keys))
        table.setRowCount(len(self.results))
        table.setHorizontalHeaderLabels([tr("Output")] + [tr(METRIC_TITLES[k]) for k in keys])
        table.verticalHeader().hide()
        for row, entry in enumerate(self.results.values()):
            # The trainer's scores; those it did not report (an output whose metrics were narrowed) are worked
            # out here by the same functions (nnstudio.core.metrics), so both agree.
            scores = {**entry["scores"], **self._test_metrics.get(entry["name"], {})}
            table.setItem(row, 0, _cell(entry["name"], align_right=False))
            for column, key in enumerate(keys, start=1):
                value = scores.get(key)
                table.setItem(row, column, _cell("–" if not isinstance(value, (int, float)) else f"{value:.4g}"))
        # Just tall enough for its rows: the room below is the confusion matrix's.
        table.setMaximumHeight(table.horizontalHeader().sizeHint().height() + 24 * table.rowCount()
                               + table.horizontalScrollBar().sizeHint().height() + 2 * table.frameWidth() + 2)

    def _show_selected_output(self, *_: Any) -> None:
        output_id = self.output_combo.currentData()
        entry = self.results.get(output_id)
        if entry is None:
            return
        if entry["task"] in CLASSIFICATION_TASKS:
            self._fill_confusion(entry)
            self.pages.setCurrentIndex(0)
        else:
            self._fill_scatter(entry)
            self.pages.setCurrentIndex(1)

    def _fill_confusion(self, entry: dict) -> None:
        matrix, names = entry["matrix"], list(entry["classes"])
        normalised = self.normalised_check.isChecked()
        totals = matrix.sum(axis=1, keepdims=True)
        shares = np.divide(matrix, totals, out=np.zeros(matrix.shape, dtype=np.float64), where=totals > 0)
        table = self.confusion_table
        table.clear()
        table.setRowCount(len(names))
        table.setColumnCount(len(names))
        # Short headers when the names do not fit a column (the class numbers); the full names in tooltips.
        metrics = QFontMetrics(table.horizontalHeader().font())
        room = max(24, (table.viewport().width() - metrics.horizontalAdvance("0000")) // max(len(names), 1) - 8)
        labels = short_class_labels(names, metrics, room)
        for k, (label, name) in enumerate(zip(labels, names)):
            for set_header in (table.setHorizontalHeaderItem, table.setVerticalHeaderItem):
                header = QTableWidgetItem(label)
                header.setToolTip(name)
                set_header(k, header)
        for row in range(len(names)):
            for column in range(len(names)):
                text = f"{100 * shares[row, column]:.0f}%" if normalised else str(int(matrix[row, column]))
                item = _cell(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setToolTip(tr(CELL_TIP, true=names[row], predicted=names[column],
                                                count=int(matrix[row, column]), share=100 * shares[row, column]))
                # Darker where more of the true class lands: green on the diagonal, red off it.
                strength = float(shares[row, column])
                base = (46, 160, 67) if row == column else (215, 58, 73)
                item.setBackground(QBrush(QColor(*base, int(20 + 200 * strength) if strength > 0 else 0)))
                table.setItem(row, column, item)
        table.fit_font()
        per_class = per_class_scores(matrix)
        scores = self.per_class_table
        scores.clear()
        scores.setRowCount(len(names))
        scores.setColumnCount(4)
        scores.setHorizontalHeaderLabels([tr("Precision"), tr("Recall"), "F1", tr("Test rows")])
        scores.setVerticalHeaderLabels(names)
        for row, (precision, recall, f1, rows) in enumerate(per_class):
            for column, text in enumerate((f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}", str(rows))):
                scores.setItem(row, column, _cell(text))

    def _fill_scatter(self, entry: dict) -> None:
        actual, predicted = entry["targets"].reshape(-1), entry["predictions"].reshape(-1)
        self.scatter.setData(actual, predicted)
        if actual.size:
            low = float(min(actual.min(), predicted.min()))
            high = float(max(actual.max(), predicted.max()))
            self.perfect_line.setData([low, high], [low, high])
        scores = entry["scores"]
        self.scatter_plot.setTitle(tr("{output}: R² {r2:.3f} · MAE {mae:.4g}  (on the dashed line the prediction is "
                                      "exact)", output=entry["name"], r2=scores["r2"], mae=scores["mae"]))

    # ------------------------------------------------------------ for tests and tutorials
    def confusion_values(self) -> list[list[str]]:
        table = self.confusion_table
        return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
