"""XOR side by side: a single layer stuck at ln 2 next to a hidden layer that solves it, both loss curves on one plot."""

from __future__ import annotations

import math
import threading
import traceback
from typing import Any, Optional

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.i18n import N_, tr

LN2 = math.log(2.0)
# Both networks show their story well within 200 epochs (the single layer sits at ln 2 long before).
DEFAULT_EPOCHS = 200
LOSS_TOP = 1.0          # the loss axis reaches at least this high, so ln 2 always has room above and below
PLOT_HEIGHT = 260       # pixels: a title, the legend's rows, the axis and a plot area that can be read
TITLE_HEIGHT = 20
RUNS = (("xor_single_layer", N_("one layer (no hidden layer)"), (214, 39, 40)),
        ("xor", N_("one hidden layer of 8 tanh neurons"), (31, 119, 180)))


class XorComparisonWorker(QObject):
    """Trains both example projects headless in its own thread; sends each run's curves back as plain lists."""

    run_finished = Signal(str, list, float)   # example name, loss per epoch, final accuracy
    failed = Signal(str, str)
    finished = Signal()

    def __init__(self, epochs: Optional[int] = None) -> None:
        super().__init__()
        self.epochs = epochs
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        try:
            from ...core.examples import build_example  # noqa: PLC0415
            from ...engine.pipeline import RunError, effective_settings, load_project_data, train_project  # noqa: PLC0415

            for name, _, _ in RUNS:
                if self._stop.is_set():
                    break
                project = build_example(name)
                settings = effective_settings(project, epochs=self.epochs or min(project.training.epochs,
                                                                                 DEFAULT_EPOCHS))
                _, result = train_project(project, settings, load_project_data(project), stop_event=self._stop)
                logs = result.history.logs
                accuracy = float(logs.get("accuracy", [math.nan])[-1])
                self.run_finished.emit(name, [float(v) for v in logs.get("loss", [])], accuracy)
        except RunError as exc:
            self.failed.emit(str(exc), "")
        except Exception as exc:  # noqa: BLE001 - any failure must reach the learner with its traceback
            self.failed.emit(tr("The comparison stopped with an error: {error}", error=exc), traceback.format_exc())
        finally:
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            self.finished.emit()
            QThread.currentThread().quit()


class XorLesson(QWidget):
    """One button trains both networks (in the background) and plots their loss curves with the ln 2 line."""

    comparison_finished = Signal()

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # noqa: PLC0415 - pyqtgraph loads slowly: only when the panel is built

        self.setObjectName("xorLesson")
        self.document, self.session = document, session
        self.results: dict[str, tuple[list[float], float]] = {}
        self._thread: Optional[QThread] = None
        self._worker: Optional[XorComparisonWorker] = None
        layout = QVBoxLayout(self)
        intro = QLabel(tr("XOR is 1 when exactly one input is 1. No straight line separates its 1s from its 0s, so "
                          "a network without a hidden layer never gets all four right: one straight line can "
                          "separate at most 3 of the 4 points (75%); its loss stays near ln 2 ≈ 0.693, the loss of "
                          "answering 50% every time. One hidden layer bends the boundary and solves it."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.start_button = QPushButton(tr("Train both side by side"), self)
        self.start_button.setObjectName("xorCompare")
        self.start_button.clicked.connect(lambda: self.start())
        layout.addWidget(self.start_button)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("xorStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        from ..plots.outside_legend import add_legend_above  # noqa: PLC0415 - these import pyqtgraph
        from ..plots.readable_axis import ReadableAxis  # noqa: PLC0415

        # (ReadableAxis keeps the labels at the ends of the axes: 0 and 1.0 of the loss, the last epoch.)
        self.plot = pg.PlotWidget(self, axisItems={"left": ReadableAxis("left"), "bottom": ReadableAxis("bottom")})
        self.plot.setObjectName("xorPlot")
        self.plot.setBackground("w")
        # Tall enough to read (the tab scrolls rather than squeezing the plot to a strip at 1280×720).
        self.plot.setMinimumHeight(PLOT_HEIGHT)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", tr("epoch"))
        # The loss's name reads across the top: written up the left axis it was longer than the axis and cut
        # at both ends ("aining loss (binary cross-e").
        plot_item = self.plot.getPlotItem()
        plot_item.setTitle(tr("training loss (binary cross-entropy)"), justify="left", size="9pt", color="#444")
        plot_item.layout.setRowFixedHeight(0, TITLE_HEIGHT)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)  # never "(x0.001)" next to an axis title
        # The legend has a row of its own above the plot: inside, its long entries met the ln 2 label and the
        # curves. The ln 2 label hangs under its line in the middle, where the two curves have parted.
        self.legend = add_legend_above(plot_item, labelTextColor="#222")
        self.ln2_line = pg.InfiniteLine(pos=LN2, angle=0, pen=pg.mkPen((90, 90, 90), width=1.5,
                                                                       style=pg.QtCore.Qt.PenStyle.DashLine),
                                        label=tr("ln 2 ≈ 0.693: guessing 50%"),
                                        labelOpts={"position": 0.5, "color": (60, 60, 60), "anchors": [(0.5, 0),
                                                                                                        (0.5, 0)]})
        self.plot.addItem(self.ln2_line)
        self.curves = {name: self.plot.plot([], [], pen=pg.mkPen(color, width=2.5), name=tr(title))
                       for name, title, color in RUNS}
        self._show_epochs(DEFAULT_EPOCHS)
        layout.addWidget(self.plot, 1)

    @property
    def is_running(self) -> bool:
        return self._thread is not None

    def start(self, epochs: Optional[int] = None) -> bool:
        """Train xor_single_layer and xor in a background thread; the curves appear as each run ends."""
        if self._thread is not None:
            return False
        self.results = {}
        self._show_epochs(epochs or DEFAULT_EPOCHS)
        for name, title, _ in RUNS:
            self.curves[name].setData([], [])
            self.legend.getLabel(self.curves[name]).setText(tr(title))
        self.status_label.setText(tr("Training both networks in the background…"))
        self.start_button.setEnabled(False)
        from .. import gc_guard  # noqa: PLC0415
        gc_guard.install()  # before a second thread runs Python: garbage is collected in the GUI thread only
        worker = XorComparisonWorker(epochs)
        thread = QThread(self)
        thread.setObjectName("xorComparisonThread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.run_finished.connect(self._on_run)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_finished)
        self._worker, self._thread = worker, thread
        thread.start()
        return True

    def _show_epochs(self, epochs: int) -> None:
        """Whole epochs from 0 to `epochs` and losses from 0 to 1, before any curve is drawn: an empty plot
        showed epochs 0.1 … 0.9, and a lesson should not suggest there are fractions of an epoch."""
        self.plot.setXRange(0, epochs, padding=0.02)
        self.plot.setYRange(0, LOSS_TOP, padding=0)

    def _on_run(self, name: str, losses: list, accuracy: float) -> None:
        self.results[name] = (losses, accuracy)
        self.curves[name].setData(list(range(1, len(losses) + 1)), losses)
        highest = max([LOSS_TOP] + [max(values, default=0.0) for values, _ in self.results.values()])
        self.plot.setXRange(0, max([1] + [len(values) for values, _ in self.results.values()]), padding=0.02)
        self.plot.setYRange(0, highest, padding=0.03)
        title = tr(dict((n, t) for n, t, _ in RUNS)[name])
        self.legend.getLabel(self.curves[name]).setText(
            tr("{title}: accuracy {accuracy:.0%}, final loss {loss:.3f}", title=title, accuracy=accuracy,
               loss=losses[-1]) if losses else title)

    def _on_failed(self, message: str, details: str) -> None:
        self.status_label.setText(message)

    def _on_finished(self) -> None:
        self.shutdown()
        if len(self.results) == len(RUNS):
            single, hidden = self.results["xor_single_layer"], self.results["xor"]
            self.status_label.setText(tr(
                "Without a hidden layer the loss ends at {single_loss:.3f} (ln 2 = {ln2:.3f}) and accuracy at "
                "{single_accuracy:.0%}; with one hidden layer the loss falls to {hidden_loss:.3f} and accuracy "
                "reaches {hidden_accuracy:.0%}.", single_loss=single[0][-1], ln2=LN2, single_accuracy=single[1],
                hidden_loss=hidden[0][-1], hidden_accuracy=hidden[1]))
        self.start_button.setEnabled(True)
        self.comparison_finished.emit()

    def shutdown(self) -> None:
        """Stop the comparison and wait for its thread (the window is closing, or the run ended)."""
        thread, worker = self._thread, self._worker
        self._thread, self._worker = None, None
        if worker is not None:
            worker.stop()
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()


__all__ = ["LN2", "XorComparisonWorker", "XorLesson"]
