"""The Weights panel: the selected layer's weight matrix as a heatmap, histograms, and per-unit images."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.i18n import N_, ntr, tr
from ...core.layers import WEIGHTED_TYPES, canonical_type
from ..editing.document import Document
from ..plots.matrix_axes import ColourScale, label_matrix_axes
from ..plots.plot_ranges import RANGE_FILL, steady_range
from ..widgets.weight_colors import DIVERGING_COLORS, NEGATIVE, POSITIVE, WEIGHT_LEGEND, ZERO
from ..widgets.weights_origin import weights_origin

if TYPE_CHECKING:
    from ..training.session import TrainingSession

# Layers that pass an image through unchanged in layout, so a Dense after them still sees pixels in order.
PASS_THROUGH_TYPES = ("Flatten", "Dropout", "Activation")
MAX_UNIT_IMAGES = 64
HISTOGRAM_BINS = 40
GRADIENT_RANGE_FILL = 0.2
GRADIENT_RANGE_EVERY_S = 1.0
EMPTY_TEXT = N_("Select a Dense or Output layer on the canvas to see its weights.")  # shown with tr()
# The smallest sizes (px) at which the plots stay readable, their axis numbers apart; below them the panel scrolls.
MIN_PLOT_WIDTH = 140
MIN_IMAGE_HEIGHT = 120
MIN_HISTOGRAM_HEIGHT = 90
MIN_UNITS_SIZE = 56
# The window gives the bottom docks no more than their minimum height (the curves above take the rest), so this
# is the height the plots get: room for both rows of plots at their minimum sizes.
MIN_PLOTS_HEIGHT = MIN_IMAGE_HEIGHT + MIN_HISTOGRAM_HEIGHT + 12   # (+ the grid's spacing)
# Narrower histograms leave out their "count" axis title, which would take a sixth of their width.
COUNT_LABEL_WIDTH = 220
TITLE_HEIGHT = 18   # pyqtgraph reserves 30 px for a plot title; a small one needs less


def mosaic(weights: np.ndarray, image_shape: tuple[int, int], limit: int = MAX_UNIT_IMAGES
           ) -> tuple[np.ndarray, int]:
    """One tile per unit (its incoming weights as the picture it looks for), in a square-ish grid with gaps.

    Returns the mosaic (NaN in the gaps, drawn as background) and how many tiles it holds."""
    units = min(len(weights), limit)
    height, width = image_shape
    across = max(1, math.ceil(math.sqrt(units)))
    down = max(1, math.ceil(units / across))
    image = np.full((down * (height + 1) - 1, across * (width + 1) - 1), np.nan, dtype=np.float32)
    for unit in range(units):
        row, column = divmod(unit, across)
        top, left = row * (height + 1), column * (width + 1)
        image[top:top + height, left:left + width] = weights[unit].reshape(height, width)
    return image, units


def _small_title(plot: Any, text: str) -> None:
    plot.setTitle(text, size="9pt")
    plot.titleLabel.setMaximumHeight(TITLE_HEIGHT)
    plot.layout.setRowFixedHeight(0, TITLE_HEIGHT)


class WeightsPanel(QWidget):
    """Shows the selected Dense/Output layer; live during training from the session's weight snapshots."""

    # The size of each wire's weights (edge id -> mean |weight|) for the canvas to draw, or None for plain
    # wires. The window connects it to the canvas: the panel never looks for the canvas itself.
    edge_weights_changed = Signal(object)

    def __init__(self, document: Document, session: "TrainingSession", parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        # pyqtgraph loads slowly: only when the panel is built. Its plots here are drawn by Qt without Python
        # (PlotView and the live_curve items), so repainting them during training takes no GIL from the training.
        from ..plots.live_curve import LiveHistogram, LiveImage  # noqa: PLC0415
        from ..plots.plot_view import PlotView  # noqa: PLC0415

        self.setObjectName("weightsPanel")
        self.document = document
        self.session = session
        self.node_id: Optional[str] = None
        self.weights: dict[str, dict] = {}   # node id -> the latest {"weight", "bias", "grad"} numpy copies
        self.shown_weight: Optional[np.ndarray] = None
        self.unit_tiles = 0
        self._model_weights_of: Any = None  # the model the cached weights were read from
        self._stale = False  # a snapshot came while the panel was hidden

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)  # the dock is small: its room goes to the plots
        layout.setSpacing(4)
        self.title_label = QLabel(tr(EMPTY_TEXT), self)
        self.title_label.setObjectName("weightsTitle")
        self.title_label.setWordWrap(True)
        # Two lines at a dock's usual width. The window sizes the dock by the panel's minimum height, which
        # counts a word-wrapped label as one line: the second would be taken from the plots.
        self.title_label.setMinimumHeight(2 * self.title_label.fontMetrics().lineSpacing())
        layout.addWidget(self.title_label)
        self.edge_check = QCheckBox(tr("Show weight sizes on the canvas"), self)
        self.edge_check.setObjectName("showEdgeWeights")
        self.edge_check.setToolTip(tr("Thicker wires carry larger weights (the average size of the weights of the "
                                      "layer each wire feeds)"))
        self.edge_check.toggled.connect(self._on_edge_toggle)
        layout.addWidget(self.edge_check)

        # The plots scroll rather than squash when the dock is made short: squashed plots overlap their axis
        # numbers and shrink the heatmap to a sliver.
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("weightsScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setMinimumHeight(MIN_PLOTS_HEIGHT)
        self.plots = QWidget(self.scroll)
        # Side by side where it has room: heatmap and unit images on top, the two histograms below them.
        plots = QGridLayout(self.plots)
        plots.setContentsMargins(0, 0, 0, 0)
        # Heatmap: rows are the layer's units, columns its inputs (as in the weight matrix W of z = Wx + b).
        self.heatmap_plot = PlotView(self.plots)
        self.heatmap_plot.setObjectName("weightsHeatmap")
        self.heatmap_plot.setMinimumSize(MIN_PLOT_WIDTH, MIN_IMAGE_HEIGHT)
        self.heatmap_plot.setBackground("w")
        self.heatmap_plot.setLabel("bottom", tr("input"))
        self.heatmap_plot.setLabel("left", tr("unit"))
        self.heatmap_plot.invertY(True)
        self.heatmap_plot.setAspectLocked(False)
        self.heatmap = LiveImage(self.heatmap_plot, DIVERGING_COLORS)
        self._heatmap_shape: Optional[tuple[int, int]] = None   # the shape its axes are labelled for
        # The key to the colours, beside the heatmap: a 1×2 matrix of two blues read as one solid block.
        self.colour_scale = ColourScale(POSITIVE, ZERO, NEGATIVE, tr(WEIGHT_LEGEND), self.plots)
        self.colour_scale.setObjectName("weightsColourScale")
        heatmap_row = QHBoxLayout()
        heatmap_row.addWidget(self.heatmap_plot, 1)
        heatmap_row.addWidget(self.colour_scale)
        plots.addLayout(heatmap_row, 0, 0)

        histograms = QHBoxLayout()
        self.weights_histogram_plot = PlotView(self.plots)
        self.weights_histogram_plot.setObjectName("weightsHistogram")
        self.gradients_histogram_plot = PlotView(self.plots)
        self.gradients_histogram_plot.setObjectName("gradientsHistogram")
        # Drawn by Qt alone (live_curve.py): their repaints during training take no GIL from the training thread.
        self.weights_curve = LiveHistogram(self.weights_histogram_plot, POSITIVE.getRgb()[:3])
        self.gradients_curve = LiveHistogram(self.gradients_histogram_plot, NEGATIVE.getRgb()[:3])
        self.gradients_histogram_plot.setToolTip(tr("The gradients of these weights: shown while the network trains"))
        for plot, title in ((self.weights_histogram_plot, tr("Weights")),
                            (self.gradients_histogram_plot, tr("Gradients"))):
            plot.setMinimumSize(MIN_PLOT_WIDTH, MIN_HISTOGRAM_HEIGHT)
            plot.setBackground("w")
            _small_title(plot.getPlotItem(), title)
            plot.setLabel("left", tr("count"))
            for side in ("left", "bottom"):  # numbers at the major ticks only: a small plot keeps them apart
                plot.getAxis(side).setStyle(maxTextLevel=0)
            histograms.addWidget(plot)
        plots.addLayout(histograms, 1, 0, 1, 2)

        units = QVBoxLayout()
        self.units_label = QLabel(self.plots)
        self.units_label.setObjectName("unitImagesTitle")
        self.units_label.setWordWrap(True)
        units.addWidget(self.units_label)
        self.units_plot = PlotView(self.plots)
        self.units_plot.setObjectName("unitImages")
        self.units_plot.setMinimumSize(MIN_UNITS_SIZE, MIN_UNITS_SIZE)
        self.units_plot.setBackground("w")
        self.units_plot.invertY(True)
        self.units_plot.setAspectLocked(True)
        self.units_plot.hideAxis("left")
        self.units_plot.hideAxis("bottom")
        self.units_image = LiveImage(self.units_plot, DIVERGING_COLORS)
        units.addWidget(self.units_plot, 1)
        plots.addLayout(units, 0, 1)
        plots.setRowStretch(0, 3)
        plots.setRowStretch(1, 2)
        self.scroll.setWidget(self.plots)
        layout.addWidget(self.scroll, 1)
        # Ranges are set by _set_view, only when they change: automatic ranges would redraw the axes (Python in
        # pyqtgraph, holding the GIL the training needs) at every live update.
        self._views: dict[str, tuple] = {}
        self._gradient_range_at = 0.0   # time.monotonic() of the gradient histogram's last range change
        for plot in (self.heatmap_plot, self.weights_histogram_plot, self.gradients_histogram_plot, self.units_plot):
            plot.disableAutoRange()

        document.selection_changed.connect(self._on_selection)
        document.project_replaced.connect(self._on_project_replaced)
        session.weights_snapshot.connect(self._on_snapshot)
        for signal in (session.model_changed, session.training_finished, session.data_changed):
            signal.connect(self._on_model_changed)
        self._on_selection(list(document.selected_ids))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # Only the layout's sizes matter here (not the data), so this runs on resizes, never on live updates.
        wide = self.width() >= 2 * COUNT_LABEL_WIDTH
        for plot in (self.weights_histogram_plot, self.gradients_histogram_plot):
            axis = plot.getAxis("left")
            if axis.label.isVisible() != wide:
                plot.getPlotItem().showLabel("left", wide)

    # ------------------------------------------------------------ wiring
    def _watch(self) -> None:
        """Tell the session which layers' weights to copy during training."""
        wanted = set()
        if self.node_id is not None:
            wanted.add(self.node_id)
        if self.edge_check.isChecked():
            wanted |= {n.id for n in self.document.graph.nodes.values() if canonical_type(n.type) in WEIGHTED_TYPES}
        self.session.watch_weights(wanted)

    # ------------------------------------------------------------ where the numbers come from
    def _on_project_replaced(self) -> None:
        self.weights = {}
        self._model_weights_of = None
        self._on_selection([])

    def _on_snapshot(self, snapshot: dict) -> None:
        self.weights.update(snapshot)
        if self.node_id in snapshot:
            if self._on_screen():
                self._show()
            else:
                self._stale = True  # behind another dock or tab: drawn when shown (showEvent), not for nobody
        if self.edge_check.isChecked():
            self._update_edges()

    def _on_screen(self) -> bool:
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self._show()

    def _on_model_changed(self, *_: Any) -> None:
        # A new model (or new data, which means a new starting model): read its weights afresh. During
        # training the snapshots bring them; until the first one the last weights stay on screen.
        if self.session.is_training:
            return
        self._model_weights_of = None
        self.weights = {}
        self._show()
        self._update_edges()

    def _model(self) -> Any:
        """The model every panel shows (the session decides: trained, edited by hand, or the starting one)."""
        from ...core.data import DataError  # noqa: PLC0415
        from ...engine.pipeline import RunError  # noqa: PLC0415 - torch only when needed

        try:
            return self.session.current_model()
        except (DataError, RunError):
            return None  # no data yet, or the network has problems: the issues list explains them

    def _read_model_weights(self) -> None:
        """Copy every weighted layer's numbers (not during training: the snapshots do that).

        Weights and biases come from the session's weight store when it holds the layer (the numbers the neuron
        view and the truth table show too); gradients, which the store does not keep, from the model.
        """
        if self._model_weights_of is not None or self.session.is_training:
            return
        model = self._model()
        self._model_weights_of = model if model is not None else False
        if model is None:
            return
        from ...engine.inference import weights_snapshot  # noqa: PLC0415

        store = self.session.weights
        for node_id, entry in weights_snapshot(model, set(model.node_names)).items():
            if entry["weight"] is None or entry["weight"].ndim != 2:
                continue
            held = store.get(node_id) if node_id in store else None
            if held is not None:
                entry = dict(entry, weight=held.weights, bias=held.bias)
            self.weights.setdefault(node_id, entry)

    # ------------------------------------------------------------ showing
    def _on_selection(self, node_ids: list) -> None:
        graph = self.document.graph
        chosen = [i for i in node_ids if i in graph.nodes and canonical_type(graph.node(i).type) in WEIGHTED_TYPES]
        self.node_id = chosen[0] if chosen else None
        self._watch()
        self._show()

    def _show(self) -> None:
        self._stale = False
        graph = self.document.graph
        if self.node_id is None or self.node_id not in graph.nodes:
            self.node_id = None
            self._show_empty(tr(EMPTY_TEXT))
            return
        if self.node_id not in self.weights:
            self._read_model_weights()
        entry = self.weights.get(self.node_id)
        node = graph.node(self.node_id)
        if entry is None:
            self._show_empty(tr("{type} '{name}' has no weights to show yet: choose data and fix any issues, then "
                                "its starting weights appear here.", type=node.type, name=node.name))
            return
        weight = np.asarray(entry["weight"], dtype=np.float32)
        self.shown_weight = weight
        units, inputs = weight.shape
        state = weights_origin(self.session, self.node_id)
        self._set_title(tr("{type} '{name}': {units} × {inputs} ({state}). {legend}", type=node.type,
                           name=node.name, units=ntr("{n} unit", "{n} units", units),
                           inputs=ntr("{n} input", "{n} inputs", inputs), state=state, legend=tr(WEIGHT_LEGEND)))
        if self.plots.isHidden():
            self.plots.show()
        # Symmetric levels put zero at white, so the sign of every weight reads at a glance.
        largest = float(np.abs(weight).max()) if weight.size else 0.0
        largest = largest if largest > 0 else 1.0
        self.heatmap.setImage(weight, levels=(-largest, largest))
        self.colour_scale.set_extent(largest)
        if self._heatmap_shape != (units, inputs):   # the ticks sit on the cells: input 1, input 2 / unit 1
            self._heatmap_shape = (units, inputs)
            label_matrix_axes(self.heatmap_plot, units, inputs)
        self._set_view(self.heatmap_plot, "heatmap", (0.0, float(inputs)), (0.0, float(units)), padding=0.02)
        self._fill_histogram(self.weights_histogram_plot, "weights", self.weights_curve, weight)
        grad = entry.get("grad")
        self._fill_histogram(self.gradients_histogram_plot, "gradients", self.gradients_curve,
                             np.asarray(grad, dtype=np.float32) if grad is not None else np.empty(0))
        self._show_unit_images(weight)

    def _set_title(self, text: str) -> None:
        if self.title_label.text() != text:  # a new text lays the word-wrapped label (and the panel) out again
            self.title_label.setText(text)

    def _show_empty(self, text: str) -> None:
        self._set_title(text)
        self.shown_weight = None
        self.unit_tiles = 0
        self.plots.hide()

    def _fill_histogram(self, plot: Any, key: str, curve: Any, values: np.ndarray) -> None:
        values = values[np.isfinite(values)]
        if values.size == 0:
            curve.setData([0.0, 1.0], [0.0])
            self._set_view(plot, key, (0.0, 1.0), (0.0, 1.0))
            return
        counts, edges = np.histogram(values, bins=HISTOGRAM_BINS)
        curve.setData(edges, counts.astype(np.float64))
        # Round ranges that stay put while the weights move a little (symmetric, so zero stays in the middle).
        # Gradients swing tenfold from one snapshot to the next: their ranges wait until they fill a fifth only,
        # and change at most once a second during training (each change redraws both axes, in Python).
        gradients = key == "gradients"
        fill = GRADIENT_RANGE_FILL if gradients else RANGE_FILL
        reach = float(max(abs(edges[0]), abs(edges[-1]))) or 1.0
        old_x, old_y = self._views.get(key, (None, None, 0))[:2]
        ranges = (steady_range(old_x, -reach, reach, fill), steady_range(old_y, 0.0, float(counts.max()), fill))
        now = time.monotonic()
        if gradients and old_x is not None and self.session.is_training \
                and now - self._gradient_range_at < GRADIENT_RANGE_EVERY_S:
            return  # bars beyond the range are cut off for under a second, then the range follows them
        if ranges != (old_x, old_y) and gradients:
            self._gradient_range_at = now
        self._set_view(plot, key, *ranges)

    def _set_view(self, plot: Any, key: str, x_range: tuple, y_range: tuple, padding: float = 0.0) -> None:
        """Show exactly these ranges; nothing is redrawn when they are the ones shown already."""
        if self._views.get(key) != (x_range, y_range, padding):
            self._views[key] = (x_range, y_range, padding)
            plot.setRange(xRange=x_range, yRange=y_range, padding=padding)

    def image_shape_of_inputs(self, node_id: str) -> Optional[tuple[int, int]]:
        """The picture a layer's inputs form: after an image Input, directly or through Flatten/Dropout."""
        graph = self.document.graph
        current = node_id
        for _ in range(len(graph.nodes)):
            edges = graph.edges_into(current)
            if len(edges) != 1:
                return None
            source = graph.node(edges[0].source)
            kind = canonical_type(source.type)
            if kind == "Input":
                return self._input_picture(source)
            if kind not in PASS_THROUGH_TYPES:
                return None
            current = source.id
        return None

    def _input_picture(self, node: Any) -> Optional[tuple[int, int]]:
        shape = tuple(node.params.get("shape") or ())
        if len(shape) == 3 and 1 in (shape[0], shape[2]):
            shape = tuple(s for s in shape if s != 1) if shape.count(1) == 1 else shape
        if len(shape) == 2 and min(shape) >= 2:
            return int(shape[0]), int(shape[1])
        data = self.session.data
        image = getattr(getattr(data, "table", None), "image_shape", None)
        if image is not None and len(image) == 2 and math.prod(image) == math.prod(shape):
            return int(image[0]), int(image[1])  # a flat Input of 784 fed from 28×28 images
        return None

    def _show_unit_images(self, weight: np.ndarray) -> None:
        picture = self.image_shape_of_inputs(self.node_id) if self.node_id else None
        if picture is None or weight.shape[1] != math.prod(picture):
            self.unit_tiles = 0
            self.units_label.hide()
            self.units_plot.hide()
            return
        image, self.unit_tiles = mosaic(weight, picture)
        largest = float(np.nanmax(np.abs(image))) if self.unit_tiles else 1.0
        largest = largest if largest > 0 else 1.0
        self.units_image.setImage(np.nan_to_num(image, nan=0.0), levels=(-largest, largest))
        self._set_view(self.units_plot, "units", (0.0, float(image.shape[1])), (0.0, float(image.shape[0])),
                       padding=0.02)
        if len(weight) > self.unit_tiles:
            text = tr("What each unit looks for in the {height}×{width} image (the first {shown} of {units}): blue "
                      "pixels push it up, red ones down.", height=picture[0], width=picture[1],
                      shown=self.unit_tiles, units=len(weight))
        else:
            text = tr("What each unit looks for in the {height}×{width} image: blue pixels push it up, red ones "
                      "down.", height=picture[0], width=picture[1])
        if self.units_label.text() != text:
            self.units_label.setText(text)
        if self.units_label.isHidden():
            self.units_label.show()
            self.units_plot.show()

    # ------------------------------------------------------------ wires on the canvas
    def _on_edge_toggle(self, on: bool) -> None:
        self._watch()
        if on:
            self._read_model_weights()
        self._update_edges()

    def edge_magnitudes(self) -> dict[str, float]:
        """Each wire's size: the mean |weight| of the weighted layer it feeds (wires into others get none)."""
        sizes = {node_id: float(np.abs(entry["weight"]).mean())
                 for node_id, entry in self.weights.items() if entry.get("weight") is not None
                 and np.asarray(entry["weight"]).size}
        return {edge.id: sizes[edge.target] for edge in self.document.graph.edges.values() if edge.target in sizes}

    def _update_edges(self) -> None:
        if not self.edge_check.isChecked():
            self.edge_weights_changed.emit(None)
            return
        if not self.weights:
            self._read_model_weights()
        self.edge_weights_changed.emit(self.edge_magnitudes() or None)
