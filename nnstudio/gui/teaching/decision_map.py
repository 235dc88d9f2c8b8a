"""The decision map: predicted class and confidence over two features behind the data, or a 1-feature regression fit."""

from __future__ import annotations

import time
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.i18n import N_, tr
from ...core.layers import canonical_type
from ...core.teaching.decision import classes_and_confidence
from ...core.teaching.plane import Plane, input_plane, line_over
from ..widgets.wheel_guard import wheel_only_when_focused
from .decision_legend import (CURVE_TEXT, REGRESSION_SAMPLES_TEXT, SAMPLES_TEXT, UNSURE_TEXT, LegendEntry,
                              MapLegend)

GRID = 100                 # a 100 × 100 grid: one batched prediction of 10,000 rows
MARGIN, LEAST_MARGIN = 0.1, 1e-3   # the grid reaches 10% of the data's spread beyond the outermost samples
REDRAW_EVERY_S = 0.25      # during training at most 4 redraws a second
CURVE_POINTS = 200
CURVE_MARGIN = 0.05        # the fitted curve reaches 5% of the data's spread beyond the outermost samples
WAITING = N_("Waiting for this network's data: the map appears as soon as it has loaded.")
# Class colours that stay apart when mixed with white for low confidence.
CLASS_COLORS = np.array([(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                         (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)],
                        dtype=np.float64)


def class_color(index: int) -> np.ndarray:
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def map_image(predicted: np.ndarray, confidence: np.ndarray) -> np.ndarray:
    """RGB pixels: the class colour, paler where the network is unsure (never fully white, so the class shows)."""
    colors = CLASS_COLORS[predicted % len(CLASS_COLORS)]
    mix = (0.25 + 0.5 * confidence)[..., None]
    return (255.0 + (colors - 255.0) * mix).astype(np.uint8)


class DecisionMap(QWidget):
    """Live map of the network's answer over the plane of two chosen features (the others at their means)."""

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # noqa: PLC0415 - pyqtgraph loads slowly: only when the panel is built

        self.setObjectName("decisionMap")
        self.document, self.session = document, session
        self.mode = "none"     # "classes", "regression" or "none"
        self.input_id: Optional[str] = None
        self.output_id: Optional[str] = None
        self.features: list[str] = []
        self.plane: Optional[Plane] = None            # the grid of the class map last drawn
        self.xs = self.ys = np.zeros(0)
        self.predicted: Optional[np.ndarray] = None   # (GRID, GRID) classes, row 0 at the smallest y
        self.confidence: Optional[np.ndarray] = None
        self.pixels: Optional[np.ndarray] = None      # (GRID, GRID, 3), the image shown
        self.redraws = 0
        self.waiting = False   # True while the data or the model is a step behind the drawing
        self._data_stale = False  # a project was opened and its data has not arrived yet
        self._last_draw = 0.0

        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("across:"), self))
        self.x_combo = QComboBox(self)
        wheel_only_when_focused(self.x_combo)  # scrolling past it must not change it
        self.x_combo.setObjectName("decisionMapX")
        row.addWidget(self.x_combo, 1)
        row.addWidget(QLabel(tr("up:"), self))
        self.y_combo = QComboBox(self)
        wheel_only_when_focused(self.y_combo)  # scrolling past it must not change it
        self.y_combo.setObjectName("decisionMapY")
        row.addWidget(self.y_combo, 1)
        layout.addLayout(row)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("decisionMapMessage")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.plot = pg.PlotWidget(self)
        self.plot.setBackground("w")
        for side in ("left", "bottom"):
            # The data's own units: never "(x0.001)" next to the axis title.
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=7, pen=pg.mkPen(40, 40, 40, 160))
        self.plot.addItem(self.points)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen((214, 39, 40), width=2.5))
        self.plot.addItem(self.curve)
        layout.addWidget(self.plot, 1)
        self.legend = MapLegend(self)
        self.legend.setVisible(False)
        layout.addWidget(self.legend)
        self._pg = pg

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.redraw)
        self.x_combo.currentIndexChanged.connect(lambda _: self.redraw())
        self.y_combo.currentIndexChanged.connect(lambda _: self.redraw())
        document.analysis_changed.connect(self.rebuild)
        document.project_replaced.connect(self._on_project_replaced)
        session.data_changed.connect(self._on_data_changed)
        session.model_changed.connect(self.redraw_soon)
        session.epoch_finished.connect(lambda *_: self.redraw_soon())
        session.training_finished.connect(lambda *_: self.redraw())
        self.rebuild()

    # ------------------------------------------------------------ what can be drawn
    def _on_project_replaced(self) -> None:
        # The session loads the new project's data on its next turn: until then its data (and node ids that
        # may even coincide) belong to the project before, so nothing is drawn from them.
        self._data_stale = getattr(self.session, "data", None) is not None
        self.rebuild()

    def _on_data_changed(self) -> None:
        self._data_stale = False
        self.rebuild()

    def rebuild(self) -> None:
        """Work out what to draw (classes over two features, or a regression curve) and fill the feature lists."""
        data = getattr(self.session, "data", None)
        graph = self.document.graph
        inputs = [n for n in graph.nodes.values() if canonical_type(n.type) == "Input"]
        outputs = [n for n in graph.nodes.values() if canonical_type(n.type) == "Output"]
        self.mode, self.waiting = "none", False
        if data is None:
            self._say(tr("Choose data and draw a network: this map then shows what it answers everywhere."))
            return
        if len(inputs) != 1 or not outputs:
            self._say(tr("The decision map needs one Input and an Output."))
            return
        train = data.prepared.train
        if self._data_stale or inputs[0].id not in train.inputs or outputs[0].id not in train.targets:
            # A project just opened (or a network just redrawn): the data still belongs to the one before.
            self._wait()
            return
        self.input_id, self.output_id = inputs[0].id, outputs[0].id
        target = data.context.output_targets.get(self.output_id) if data.context else None
        features = self._feature_names(data)
        if target is not None and target.task == "regression":
            if len(features) != 1:
                self._say(tr("For numbers to predict, the fitted curve is drawn when the network has one input "
                             "feature."))
                return
            self.mode = "regression"
        elif len(features) < 2:
            self._say(tr("The decision map needs at least two input features."))
            return
        else:
            self.mode = "classes"
        self.features = features
        for combo, default in ((self.x_combo, 0), (self.y_combo, 1)):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(features)
            combo.setCurrentIndex(features.index(current) if current in features else min(default, len(features) - 1))
            combo.setEnabled(self.mode == "classes")
            combo.blockSignals(False)
        self.redraw()

    def _feature_names(self, data: Any) -> list[str]:
        raw = np.asarray(data.prepared.train.inputs[self.input_id])
        count = int(np.prod(raw.shape[1:])) if raw.ndim > 1 else 1
        binding = getattr(data.prepared, "binding", None)
        columns = list(getattr(binding, "inputs", {}).get(self.input_id, []) or []) if binding is not None else []
        names = [str(c) for c in columns] if len(columns) == count else [f"x{i + 1}" for i in range(count)]
        return names

    def _wait(self) -> None:
        """The data (or the model) still belongs to the network drawn before: say so, and try again when asked."""
        self._say(tr(WAITING))
        self.waiting = True

    def _say(self, text: str) -> None:
        """Nothing to draw: a message instead, an empty plot without axis titles, and no feature choice."""
        self.mode = "none"
        self.waiting = False
        self.message_label.setText(text)
        self.image.clear()
        self.points.clear()
        self.curve.setData([], [])
        self.predicted = self.confidence = self.pixels = None
        self.plane = None
        self.features = []
        for combo in (self.x_combo, self.y_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.setEnabled(False)
            combo.blockSignals(False)
        self.plot.setLabel("bottom", "")
        self.plot.setLabel("left", "")
        self.legend.show_entries([])

    # ------------------------------------------------------------ drawing
    def redraw_soon(self) -> None:
        """Throttled redraw: during training at most every REDRAW_EVERY_S, never queued more than once."""
        waited = time.monotonic() - self._last_draw
        if waited >= REDRAW_EVERY_S:
            self.redraw()
        elif not self._timer.isActive():
            self._timer.start(int((REDRAW_EVERY_S - waited) * 1000) + 1)

    def _raw_training_rows(self) -> tuple[np.ndarray, Optional[np.ndarray]]:
        """The training samples in raw units (the map's axes are the data's own units) and their targets."""
        data = self.session.data
        scaled = np.asarray(data.prepared.train.inputs[self.input_id], dtype=np.float64)
        scaled = scaled.reshape(len(scaled), -1)
        offset, scale = data.prepared.scalers.get(self.input_id, (np.zeros(scaled.shape[1]), np.ones(scaled.shape[1])))
        raw = scaled * np.asarray(scale, dtype=np.float64).reshape(-1) + np.asarray(offset, dtype=np.float64).reshape(-1)
        targets = data.prepared.train.targets.get(self.output_id)
        return raw, None if targets is None else np.asarray(targets)

    def predict_raw(self, rows: np.ndarray) -> np.ndarray:
        """The network's outputs for raw rows of features (one batched prediction)."""
        return np.asarray(self.session.predict({self.input_id: rows})[self.output_id])

    def redraw(self) -> None:
        if self.waiting:
            self.rebuild()  # a new model or data may have arrived: see whether they fit the drawing now
            return
        if self.mode == "none" or self.session.data is None:
            return
        train = self.session.data.prepared.train
        if self.input_id not in train.inputs or self.output_id not in train.targets:
            self._wait()  # the data changed under the map; data_changed rebuilds it
            return
        from ...core.data import DataError  # noqa: PLC0415
        from ...engine.pipeline import RunError  # noqa: PLC0415

        self._last_draw = time.monotonic()
        try:
            if self.mode == "classes":
                self._draw_classes()
            else:
                self._draw_regression()
        except (DataError, RunError) as exc:
            self._say(str(exc))
            return
        except KeyError:
            # The model or the data is from a network that is no longer drawn (a project being replaced): wait.
            self._wait()
            return
        self.redraws += 1

    def _draw_classes(self) -> None:
        raw, targets = self._raw_training_rows()
        fx, fy = max(self.x_combo.currentIndex(), 0), max(self.y_combo.currentIndex(), 0)
        plane = input_plane(raw, GRID, MARGIN, LEAST_MARGIN, across=fx, up=fy)   # row r is y = ys[r]
        self.plane, self.xs, self.ys = plane, plane.xs, plane.ys
        rows = plane.feature_rows(raw.mean(axis=0), across=fx, up=fy)  # the other features held at their means
        outputs = self.predict_raw(rows)
        predicted, confidence = classes_and_confidence(outputs)
        self.predicted = plane.picture(predicted)
        self.confidence = plane.picture(confidence)
        self.pixels = map_image(self.predicted, self.confidence)
        self.image.setImage(self.pixels, autoLevels=False, levels=(0, 255))
        self.image.setRect(*plane.pixel_rect())   # pixel centres sit on the grid points
        codes = np.zeros(len(raw), dtype=np.int64) if targets is None else (
            targets.argmax(axis=1) if targets.ndim == 2 and targets.shape[1] > 1 else targets.reshape(-1).astype(np.int64))
        brushes = [self._pg.mkBrush(*class_color(int(c)).astype(int)) for c in codes]
        self.points.setData(raw[:, fx], raw[:, fy], brush=brushes)
        self.curve.setData([], [])
        self.plot.setLabel("bottom", self.features[fx])
        self.plot.setLabel("left", self.features[fy])
        self.legend.show_entries(self._class_entries(outputs))
        self.message_label.setText(
            tr("Each colour is the class the network answers there; pale means unsure. The dots are the training "
               "samples, coloured by their true class (the other features held at their means).")
            if len(self.features) > 2 else
            tr("Each colour is the class the network answers there; pale means unsure. The dots are the training "
               "samples, coloured by their true class."))

    def _draw_regression(self) -> None:
        raw, targets = self._raw_training_rows()
        xs = line_over(raw[:, 0], CURVE_POINTS, CURVE_MARGIN)
        ys = self.predict_raw(xs.reshape(-1, 1)).reshape(len(xs), -1)[:, 0]
        self.image.clear()
        self.predicted = self.confidence = self.pixels = None
        self.plane = None
        self.xs, self.ys = xs, ys
        self.curve.setData(xs, ys)
        if targets is not None:
            self.points.setData(raw[:, 0], np.asarray(targets, dtype=np.float64).reshape(len(raw), -1)[:, 0],
                                brush=self._pg.mkBrush(31, 119, 180, 150))
        self.plot.setLabel("bottom", self.features[0])
        self.plot.setLabel("left", tr("prediction"))
        self.message_label.setText(tr("The red curve is what the network predicts for each input value; the dots "
                                      "are the training samples."))
        self.legend.show_entries([LegendEntry((214, 39, 40), False, tr(CURVE_TEXT)),
                                  LegendEntry((31, 119, 180), True, tr(REGRESSION_SAMPLES_TEXT))])

    def _class_entries(self, outputs: np.ndarray) -> list[LegendEntry]:
        """A patch per class in its colour and name (the data's class names, else 0, 1, 2…), then the dots and
        the pale areas."""
        names = list(getattr(self.session.data.prepared, "class_names", {}).get(self.output_id, ()) or ())
        width = outputs.shape[1] if outputs.ndim == 2 else 1
        count = len(names) or (2 if width == 1 else width)
        names = [str(name) for name in names] or [str(k) for k in range(count)]
        entries = [LegendEntry(tuple(int(v) for v in class_color(k)), False, name) for k, name in enumerate(names)]
        pale = tuple(int(v) for v in map_image(np.zeros(1, dtype=np.int64), np.zeros(1))[0])
        return entries + [LegendEntry((150, 150, 150), True, tr(SAMPLES_TEXT)), LegendEntry(pale, False, tr(UNSURE_TEXT))]

    # ------------------------------------------------------------ for tests
    def pixel_at(self, x: float, y: float) -> tuple[np.ndarray, int]:
        """The colour drawn nearest to (x, y) and the class it stands for."""
        row, column = self.plane.nearest(x, y)
        return self.pixels[row, column], int(self.predicted[row, column])


__all__ = ["DecisionMap", "map_image", "class_color"]
