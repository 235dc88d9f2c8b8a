"""Live learning curves (pyqtgraph): loss per epoch and per batch, a chosen metric, best and stopping epochs."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.i18n import N_, tr
from ...core.runs import RunRecord
from ...core.settings import TrainingSettings
from ..editing.document import Document
from ..plots.plot_ranges import RANGE_FILL, nice_range
from ..widgets import file_dialogs
from ..widgets.wheel_guard import wheel_only_when_focused
from .curve_data import (
    GrowingSeries,
    metric_ceiling,
    metric_label,
    metric_names,
    overlay_lines,
    write_history_csv,
)
from .curve_marks import best_epoch_so_far
from .session import TrainingSession

# Redraws follow the session's `refreshed` signal (10 a second at most, whatever the number of batches).
# The y range is changed only when the curves leave it or fill less than RANGE_FILL of it (see plot_ranges.py).
SMOOTHING = 0.9         # the weight of the past in the smoothed batch loss (an exponential moving average)
EMPTY_TEXT = N_("Press Train to see the network learn")  # shown with tr()
TRAIN_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#e8710a"
BATCH_COLOUR = (31, 119, 180, 110)
BEST_COLOUR = "#2e7d32"
STOP_COLOUR = "#b3261e"
CEILING_ROOM = 0.04     # the share of an accuracy axis shown above 1.0, so a curve at 1.0 is seen
class CurvesPanel(QWidget):
    """Loss and metric curves that follow training live, redrawn by a timer (never once per batch).

    pyqtgraph is imported when the plots are first needed, so opening the window stays fast.
    """

    def __init__(self, document: Document, session: TrainingSession, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("curvesPanel")
        self.document = document
        self.session = session
        self.epochs: list[int] = []
        self.logs: dict[str, list[float]] = {}
        self.batch_series = GrowingSeries()
        self._smoothed: Optional[float] = None
        self.best_epoch: Optional[int] = None
        self.stopped_epoch: Optional[int] = None
        self._dirty = False
        self._drawn_epochs = -1
        self._drawn_metric: Optional[str] = None
        self._planned_epochs = 0
        self._run_settings: Optional[TrainingSettings] = None   # the settings the live run started with
        self._overlay_runs: list[tuple[int, RunRecord]] = []
        self._overlay_items: list[Any] = []
        self.plots: Optional[Any] = None   # the pyqtgraph GraphicsLayoutWidget, once built

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.log_check = QCheckBox(tr("Log scale (loss)"))
        self.log_check.setObjectName("logScaleCheck")
        self.log_check.setToolTip(tr("Show the loss on a logarithmic scale: small late improvements become visible"))
        self.metric_combo = QComboBox()
        wheel_only_when_focused(self.metric_combo)  # scrolling past it must not change it
        self.metric_combo.setObjectName("metricCombo")
        self.metric_combo.setToolTip(tr("Which number to plot next to the loss (per output when there are several)"))
        self.metric_combo.setMinimumContentsLength(14)
        self.png_button = QPushButton(tr("Save picture…"))
        self.png_button.setObjectName("exportPngButton")
        self.csv_button = QPushButton(tr("Save numbers (CSV)…"))
        self.csv_button.setObjectName("exportCsvButton")
        bar.addWidget(self.log_check)
        bar.addWidget(QLabel(tr("Metric:")))
        bar.addWidget(self.metric_combo)
        bar.addStretch(1)
        bar.addWidget(self.png_button)
        bar.addWidget(self.csv_button)
        layout.addLayout(bar)
        self.stack = QStackedWidget()
        self.empty_label = QLabel(tr(EMPTY_TEXT))
        self.empty_label.setObjectName("curvesEmptyLabel")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("font-size: 20px; color: #666;")
        self.stack.addWidget(self.empty_label)
        layout.addWidget(self.stack, 1)

        self.log_check.toggled.connect(self._set_log_scale)
        self.metric_combo.currentIndexChanged.connect(self._metric_chosen)
        self.png_button.clicked.connect(self.export_png)
        self.csv_button.clicked.connect(self.export_csv)
        session.training_started.connect(self._training_started)
        session.refreshed.connect(self.redraw)
        session.batch_losses.connect(self.add_batch_losses)
        session.epoch_finished.connect(self.add_epoch)
        session.training_finished.connect(self._training_finished)
        session.training_failed.connect(self._training_failed)
        document.project_replaced.connect(self.clear)
        self._update_buttons()
        if session.is_training:  # built while a run starts: catch up with it
            self._training_started()

    # ------------------------------------------------------------ plots (built on first need)
    def ensure_plots(self) -> None:
        if self.plots is not None:
            return
        import pyqtgraph as pg  # noqa: PLC0415 - a few hundred ms: only when curves are first shown

        from ..plots.live_curve import EpochMarker, LiveCurve  # noqa: PLC0415 - both import pyqtgraph
        from .curve_views import curve_view  # noqa: PLC0415 - imports pyqtgraph

        self._pg = pg
        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.setObjectName("curvesPlots")
        # Two separate views, so a new batch point repaints the loss plot only, not the metric plot beside it.
        self.loss_view = curve_view(tr("Loss (lower is better)"))
        self.metric_view = curve_view(tr("Metric"))
        plots.addWidget(self.loss_view)
        plots.addWidget(self.metric_view)
        self.loss_plot = self.loss_view.getPlotItem()
        self.metric_plot = self.metric_view.getPlotItem()
        self._metric_title = tr("Metric")
        self._y_ranges: dict[int, tuple[float, float]] = {}
        self._x_ends: dict[int, float] = {}
        # Created once; every update is a setData on these curves, whose lines and dots Qt draws without Python.
        self.batch_curve = LiveCurve(self.loss_plot, pg.mkPen(BATCH_COLOUR, width=1),
                                     tr("training, per batch (smoothed)"))
        self.loss_curve = LiveCurve(self.loss_plot, pg.mkPen(TRAIN_COLOUR, width=2.5), tr("training"), TRAIN_COLOUR,
                                    z=1)
        self.val_loss_curve = LiveCurve(self.loss_plot, pg.mkPen(VALIDATION_COLOUR, width=2.5), tr("validation"),
                                        VALIDATION_COLOUR, z=2)
        self.metric_curve = LiveCurve(self.metric_plot, pg.mkPen(TRAIN_COLOUR, width=2.5), tr("training"), TRAIN_COLOUR,
                                      z=1)
        self.val_metric_curve = LiveCurve(self.metric_plot, pg.mkPen(VALIDATION_COLOUR, width=2.5), tr("validation"),
                                          VALIDATION_COLOUR, z=2)
        # Where the best epoch is, and where early stopping ended the run (moved at most once an epoch).
        # Their words sit at different heights, so 'best' and 'stopped' on one epoch do not meet.
        self.best_lines = [EpochMarker(self.loss_plot, BEST_COLOUR, Qt.PenStyle.DashLine, tr("best"), 0.55),
                           EpochMarker(self.metric_plot, BEST_COLOUR, Qt.PenStyle.DashLine, tr("best"), 0.95)]
        self.stop_lines = [EpochMarker(self.loss_plot, STOP_COLOUR, Qt.PenStyle.DotLine, tr("stopped"), 0.45),
                           EpochMarker(self.metric_plot, STOP_COLOUR, Qt.PenStyle.DotLine, tr("stopped"), 0.85)]
        self.plots = plots
        self.stack.addWidget(plots)
        self._set_log_scale(self.log_check.isChecked())
        self._rebuild_overlays()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.epochs or self._overlay_runs or self.session.is_training:
            self.ensure_plots()
            self.stack.setCurrentWidget(self.plots)
            self.redraw(force=True)

    # ------------------------------------------------------------ data in (GUI thread, from the session)
    def clear(self) -> None:
        """Forget the curves and the earlier runs shown with them (a new or opened project)."""
        self._forget_run()
        self._planned_epochs = 0
        self._overlay_runs = []
        self._rebuild_overlays()
        self.stack.setCurrentWidget(self.empty_label)
        self.redraw()

    def _forget_run(self) -> None:
        """The live run's numbers go; nothing is drawn yet."""
        self.epochs, self.logs = [], {}
        self.batch_series.clear()
        self._smoothed = None
        self.best_epoch = self.stopped_epoch = None
        self._drawn_epochs = -1
        self._fill_metric_combo()
        self._dirty = True
        self._update_buttons()

    def _training_started(self) -> None:
        # One redraw, with the new run's epochs already planned: an empty redraw in between would shrink the
        # x axis to one epoch and grow it back, redrawing the axes twice while the user waits for the first epoch.
        self._forget_run()
        self._planned_epochs = self.document.project.training.epochs
        self._run_settings = copy.deepcopy(self.document.project.training)  # edits during the run do not count
        self.ensure_plots()
        self.stack.setCurrentWidget(self.plots)
        self.redraw(force=True)

    def add_batch_losses(self, positions: np.ndarray, losses: np.ndarray) -> None:
        """Smooth the new batch losses and keep them; drawn at the next timer tick."""
        smoothed = np.empty(len(losses))
        value = self._smoothed
        for i, loss in enumerate(losses.tolist()):
            if not math.isfinite(loss):
                smoothed[i] = np.nan
                continue
            # Starting from the first loss (not from 0) means the early points need no bias correction.
            value = loss if value is None else SMOOTHING * value + (1 - SMOOTHING) * loss
            smoothed[i] = value
        self._smoothed = value
        self.batch_series.extend(positions, smoothed)
        self._dirty = True

    def add_epoch(self, epoch: int, logs: dict) -> None:
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.logs.setdefault(key, [math.nan] * (len(self.epochs) - 1)).append(float(value))
        for values in self.logs.values():
            if len(values) < len(self.epochs):
                values.append(math.nan)
        if self.metric_combo.count() == 0 or len(metric_names(list(self.logs))) != self.metric_combo.count():
            self._fill_metric_combo()
        self.best_epoch = self._best_so_far()
        self._dirty = True
        self._update_buttons()

    def _best_so_far(self) -> Optional[int]:
        # The number early stopping watches (val_accuracy rises): the mark must not follow the loss meanwhile.
        return best_epoch_so_far(self.epochs, self.logs, self._run_settings)

    def _training_finished(self, result: Any) -> None:
        history = result.history
        self.best_epoch = history.best_epoch
        self.stopped_epoch = history.epochs[-1] if history.stop_reason == "early_stopping" and history.epochs \
            else None
        self._planned_epochs = len(history.epochs)
        self.redraw(force=True)
        self._update_buttons()

    def _training_failed(self, message: str, details: str) -> None:
        self.redraw()

    # ------------------------------------------------------------ drawing (after the session's refreshes)
    def redraw(self, force: bool = False) -> None:
        if self.plots is None or not (self._dirty or force):
            return
        if not force and not self._on_screen():
            return  # behind another tab: drawn when shown again (showEvent), the data is kept meanwhile
        self._dirty = False
        self.batch_curve.setData(*self.batch_series.views())
        metric = self.current_metric()
        if force or self._drawn_epochs != len(self.epochs) or self._drawn_metric != metric:
            # Epoch curves change once per epoch: leave them (and the metric plot) alone in between.
            self._drawn_epochs, self._drawn_metric = len(self.epochs), metric
            epochs = np.asarray(self.epochs, dtype=float)
            self.loss_curve.setData(epochs, self._values("loss"))
            self.val_loss_curve.setData(epochs, self._values("val_loss"))
            title = metric_label(metric, self._output_names()) if metric else tr("Metric")
            if title != self._metric_title:  # a title change lays the plot out again
                self._metric_title = title
                self.metric_plot.setTitle(title)
            self.metric_curve.setData(epochs, self._values(metric))
            self.val_metric_curve.setData(epochs, self._values(f"val_{metric}") if metric else np.empty(0))
            self._fit_range(self.metric_plot, [self.metric_curve, self.val_metric_curve], force,
                            metric_ceiling(metric) if metric else None)
        self._fit_range(self.loss_plot, [self.batch_curve, self.loss_curve, self.val_loss_curve], force)
        for lines, epoch in ((self.best_lines, self.best_epoch), (self.stop_lines, self.stopped_epoch)):
            for line in lines:  # moved only when their epoch changes: each move repaints the line and its label
                if line.isVisible() != (epoch is not None):
                    line.setVisible(epoch is not None)
                if epoch is not None and line.value() != epoch:
                    line.setValue(epoch)

    def _on_screen(self) -> bool:
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def _fit_range(self, plot: Any, curves: list, force: bool, ceiling: Optional[float] = None) -> None:
        """Keep every point in view, changing the range rarely (in steps) so the axes are seldom repainted."""
        x_end = max([float(self._planned_epochs)] + [float(np.nanmax(c.xData)) for c in curves
                                                     if c.xData is not None and len(c.xData)])
        x_end = max(x_end, 1.0)
        low, high = np.inf, -np.inf
        for curve in curves + [item for owner, item in self._overlay_items if owner is plot]:
            y = curve.yData
            if y is None or not len(y):
                continue
            finite = y[np.isfinite(y)]
            if len(finite):
                low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        logarithmic = plot is self.loss_plot and self.log_check.isChecked()
        key = id(plot)
        current = self._y_ranges.get(key)
        if not math.isfinite(low):
            if current is not None:
                return self._fit_x_range(plot, x_end)  # nothing to show yet (a new run): keep the last range
            low, high = (0.0, 1.0)
        if logarithmic:  # log mode: data and ranges are in powers of ten
            low, high = math.log10(max(low, 1e-12)), math.log10(max(high, 1e-12))
        wanted = nice_range(low, high, logarithmic, None if logarithmic else ceiling)
        refit = current is None or low < current[0] or high > current[1] \
            or wanted[1] - wanted[0] < RANGE_FILL * (current[1] - current[0]) or (force and wanted != current)
        if refit:
            self._y_ranges[key] = wanted
            bottom, top = wanted
            if not logarithmic and ceiling is not None and top == ceiling:
                # A perfect score runs a little below the frame, not along it; the last labelled tick is 1.0.
                top += CEILING_ROOM * (top - bottom)
            plot.setYRange(bottom, top, padding=0)
        self._fit_x_range(plot, x_end, refit)

    def _fit_x_range(self, plot: Any, x_end: float, force: bool = False) -> None:
        """Epochs 0 to x_end (the planned epochs, or more), set only when that changes or the user moved it."""
        if force or self._x_ends.get(id(plot)) != x_end or plot.viewRange()[0][1] < x_end:
            self._x_ends[id(plot)] = x_end
            plot.setXRange(0, x_end, padding=0.02)

    def _values(self, key: Optional[str]) -> np.ndarray:
        if not key or key not in self.logs:
            return np.empty(0)
        values = np.asarray(self.logs[key], dtype=float)
        if self.log_check.isChecked() and key in ("loss", "val_loss"):
            values = np.where(values > 0, values, np.nan)  # log10 of 0 has no place on the axis
        return values

    def current_metric(self) -> Optional[str]:
        return self.metric_combo.currentData()

    def _fill_metric_combo(self) -> None:
        previous = self.current_metric()
        names = metric_names(list(self.logs))
        outputs = self._output_names()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        for name in names:
            self.metric_combo.addItem(metric_label(name, outputs), name)
        index = self.metric_combo.findData(previous) if previous else -1
        self.metric_combo.setCurrentIndex(index if index >= 0 else (0 if names else -1))
        self.metric_combo.blockSignals(False)

    def _output_names(self) -> list[str]:
        """The names of the Output layers: per-output numbers in the logs start with them."""
        return [node.name for node in self.document.graph.nodes.values() if node.type == "Output"]

    def _metric_chosen(self) -> None:
        self._rebuild_overlays()
        self.redraw(force=True)

    def _set_log_scale(self, on: bool) -> None:
        if self.plots is None:
            return
        self.loss_plot.setLogMode(x=False, y=on)
        for curve in (self.batch_curve, self.loss_curve, self.val_loss_curve):
            curve.set_log_y(on)
        self._y_ranges.pop(id(self.loss_plot), None)  # the old range was in the other scale's units
        self._rebuild_overlays()
        self.redraw(force=True)

    # ------------------------------------------------------------ earlier runs, faint and dashed
    def set_overlays(self, runs: list[tuple[int, RunRecord]]) -> None:
        """Show these recorded runs (number in the history, record) behind the live curves."""
        self._overlay_runs = list(runs)
        if runs:
            self.ensure_plots()
            self.stack.setCurrentWidget(self.plots)
        self._planned_epochs = max([self._planned_epochs] + [run.epochs_run for _, run in runs])
        self._rebuild_overlays()
        self.redraw(force=True)

    def _rebuild_overlays(self) -> None:
        if self.plots is None:
            return
        for plot, item in self._overlay_items:
            plot.removeItem(item)
        self._overlay_items = []
        pg = self._pg
        metric = self.current_metric()
        plots = {"loss": self.loss_plot, "metric": self.metric_plot}
        for number, run in self._overlay_runs:
            label = tr("run {number}", number=number)
            for line in overlay_lines(run, metric, log_loss=self.log_check.isChecked()):
                plot, key, epochs, y = plots[line.plot], line.key, line.epochs, line.values
                colour = VALIDATION_COLOUR if line.validation else TRAIN_COLOUR
                colour_faint = pg.mkColor(colour)
                colour_faint.setAlpha(90)
                item = pg.PlotDataItem(epochs, y, pen=pg.mkPen(colour_faint, width=1.5, style=Qt.PenStyle.DashLine))
                item.setToolTip(f"{label}: {key}")
                plot.addItem(item)
                item.setZValue(-10)
                _cache_as_pixmap(item)
                self._overlay_items.append((plot, item))

    # ------------------------------------------------------------ export
    def _update_buttons(self) -> None:
        self.png_button.setEnabled(bool(self.epochs) or bool(self._overlay_runs))
        self.csv_button.setEnabled(bool(self.epochs))

    def ask_png_path(self) -> Optional[Path]:
        return file_dialogs.ask_save_file(self, tr("Save the curves as a picture"), "curves.png",
                                          tr("PNG image (*.png)"),
                                          file_dialogs.EXPORTS)

    def ask_csv_path(self) -> Optional[Path]:
        return file_dialogs.ask_save_file(self, tr("Save the numbers of each epoch"), "history.csv",
                                          tr("CSV file (*.csv)"),
                                          file_dialogs.EXPORTS)

    def export_png(self) -> bool:
        path = self.ask_png_path()
        if path is None:
            return False
        self.redraw(force=True)
        widget = self.plots if self.plots is not None else self
        if not widget.grab().save(str(path), "PNG"):
            self.show_error(tr("The picture could not be saved to {path}.", path=path))
            return False
        return True

    def export_csv(self) -> bool:
        """One row per epoch: the epoch number, then loss, val_loss and every metric."""
        path = self.ask_csv_path()
        if path is None:
            return False
        try:
            write_history_csv(path, self.epochs, self.logs)
        except OSError as exc:
            self.show_error(tr("The numbers could not be saved to {file}: {reason}", file=path.name,
                               reason=exc.strerror or exc))
            return False
        return True

    def show_error(self, text: str) -> None:
        QMessageBox.warning(self, tr("Could not save"), text)


def _cache_as_pixmap(item: Any) -> None:
    """Have Qt keep a picture of a plot item (and its parts: a PlotDataItem's line and dots) while it is unchanged."""
    item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    for child in item.childItems():
        child.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
