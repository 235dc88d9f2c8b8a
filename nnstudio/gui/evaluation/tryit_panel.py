"""The Try-it panel: feed the network a test sample, typed values or a drawing, and watch its answer at once."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from PySide6.QtCore import QElapsedTimer, QSignalBlocker, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.data import DataError, Table
from ...core.i18n import N_, tr
from ...core.metrics import CLASSIFICATION_TASKS, holds_logits
from ..editing.document import Document
from ..widgets.wheel_guard import wheel_only_when_focused
from .draw_grid import DrawGrid

if TYPE_CHECKING:
    from ..training.session import TrainingSession

# Beyond this many columns an Input gets no typing fields (nobody types 784 pixels): samples only.
MAX_FIELDS = 64
PREDICTED_STYLE = "QProgressBar::chunk { background: #2ea043; }"
OTHER_STYLE = "QProgressBar::chunk { background: #9aa4ae; }"
# During training the answer follows the weights at most this often (epochs can end 20 times a second).
LIVE_ANSWER_MS = 250


def image_shape_for(table: Table, columns: list[str]) -> Optional[tuple[int, int]]:
    """The (rows, columns) of the picture an Input takes, when it takes exactly an image's pixels."""
    shape = table.image_shape
    if shape is None or len(shape) != 2 or math.prod(shape) != len(columns):
        return None
    if columns != table.feature_columns(table.default_targets) or not all(4 <= side <= 64 for side in shape):
        return None
    return int(shape[0]), int(shape[1])


def probabilities_for(outputs: np.ndarray, task: str, logits: bool = False) -> np.ndarray:
    """One probability per class from one row of the network's outputs."""
    values = np.asarray(outputs, dtype=np.float64).reshape(-1)
    if task == "binary" and values.size == 1:
        yes = 1.0 / (1.0 + math.exp(-values[0])) if logits else float(values[0])
        return np.array([1.0 - yes, yes])
    if values.size and (values.min() < 0 or abs(values.sum() - 1.0) > 1e-3):
        shifted = np.exp(values - values.max())  # scores, not probabilities: softmax them for the bars
        return shifted / shifted.sum()
    return values


class TryItPanel(QWidget):
    """Inputs on the left (sample, fields or drawing), the network's answer on the right, updated on each edit."""

    def __init__(self, document: Document, session: "TrainingSession", parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("tryItPanel")
        self.document = document
        self.session = session
        self.raw: dict[str, np.ndarray] = {}          # Input id -> one row of raw feature values
        self.fields: dict[str, dict[str, QWidget]] = {}  # Input id -> column -> QLineEdit or QComboBox
        self.grids: dict[str, DrawGrid] = {}
        self.last_outputs: dict[str, np.ndarray] = {}
        self._bars: dict[str, list[tuple[QLabel, QProgressBar]]] = {}
        self._value_labels: dict[str, QLabel] = {}
        self._layout_signature: Optional[str] = None
        self._filling = False
        self._stale = False          # the model changed while the panel was hidden: answer again when shown
        self._best: dict[str, int] = {}   # output id -> the class whose bar is drawn as the answer
        self._answered = QElapsedTimer()
        self._late_answer = QTimer(self)  # the last epoch's answer, when it came too soon after the one before
        self._late_answer.setSingleShot(True)
        self._late_answer.timeout.connect(self._answer_if_seen)

        layout = QVBoxLayout(self)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("tryItStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        sample_row = QHBoxLayout()
        sample_row.addWidget(QLabel(tr("Sample number:"), self))
        self.sample_spin = QSpinBox(self)
        wheel_only_when_focused(self.sample_spin)  # scrolling past it must not change it
        self.sample_spin.setObjectName("sampleIndex")
        self.sample_spin.setKeyboardTracking(False)
        self.sample_spin.setMinimumWidth(70)
        self.sample_spin.valueChanged.connect(self.load_sample)
        sample_row.addWidget(self.sample_spin)
        self.truth_label = QLabel(self)
        self.truth_label.setObjectName("sampleTruth")
        sample_row.addWidget(self.truth_label, 1)
        layout.addLayout(sample_row)

        columns = QHBoxLayout()
        layout.addLayout(columns, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(260)  # room for the drawing grid next to the answer
        self.inputs_area = QWidget(scroll)
        self.inputs_layout = QVBoxLayout(self.inputs_area)
        scroll.setWidget(self.inputs_area)
        columns.addWidget(scroll, 3)
        self.outputs_area = QWidget(self)
        self.outputs_layout = QVBoxLayout(self.outputs_area)
        columns.addWidget(self.outputs_area, 2)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("tryItMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #b00020;")
        layout.addWidget(self.message_label)

        session.data_changed.connect(self.rebuild)
        session.model_changed.connect(self._answer_if_seen)
        session.training_finished.connect(self._answer_if_seen)
        session.epoch_finished.connect(self._on_epoch)
        session.training_started.connect(self._show_status)
        self.rebuild()

    # ------------------------------------------------------------ building the form
    def _part(self):
        """The rows samples come from: the test part, else validation, else training (and its name)."""
        data = self.session.data
        if data is None:
            return None, ""
        for part, name in ((data.prepared.test, N_("test")), (data.prepared.validation, N_("validation")),
                           (data.prepared.train, N_("training"))):  # names shown with tr()
            if part is not None and len(part):
                return part, name
        return None, ""

    def _clear_layout(self, layout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
            elif item.layout() is not None:
                self._clear_layout(item.layout())

    def rebuild(self) -> None:
        """Lay out one group of fields (or a drawing grid) per Input and one answer per Output."""
        data = self.session.data
        if data is None:
            self._layout_signature = None
            self._clear_layout(self.inputs_layout)
            self._clear_layout(self.outputs_layout)
            self.fields, self.grids, self.raw, self._bars, self._value_labels = {}, {}, {}, {}, {}
            self.sample_spin.setEnabled(False)
            self.truth_label.clear()
            self.status_label.setText(tr("Choose data first: then you can try the network on its rows."))
            self.message_label.setText(self.session.data_error)
            return
        prepared = data.prepared
        signature = repr((id(data.table), prepared.binding, prepared.tasks, prepared.class_names,
                          [n.name for n in self.document.graph.nodes.values()]))
        part, part_name = self._part()
        # The fields first: narrowing the row range below may move the row number, and that row must be shown
        # in fields made for this data (fields for the old data would be asked for values it does not have).
        if signature != self._layout_signature:
            self._layout_signature = signature
            self._build_inputs(data)
            self._build_outputs(data)
        self.sample_spin.setEnabled(part is not None)
        with QSignalBlocker(self.sample_spin):  # one load below, not one per change
            # Numbered from 1, as the student counts rows (the label says "row 3 of 30").
            self.sample_spin.setRange(1, max(len(part), 1) if part is not None else 1)
        self.sample_spin.setToolTip(tr("A row from the {part} part", part=tr(part_name)) if part_name else "")
        self.load_sample(self.sample_spin.value())

    def _node_name(self, node_id: str) -> str:
        node = self.document.graph.nodes.get(node_id)
        return node.name if node is not None else node_id

    def _build_inputs(self, data) -> None:
        self._clear_layout(self.inputs_layout)
        self.fields, self.grids, self.raw = {}, {}, {}
        table = data.table
        for input_id, columns in data.prepared.binding.inputs.items():
            self.raw[input_id] = np.zeros(len(columns), dtype=np.float32)
            box = QGroupBox(tr("Input '{name}'", name=self._node_name(input_id)), self.inputs_area)
            box_layout = QVBoxLayout(box)
            image = image_shape_for(table, columns)
            if image is not None:
                indices = [table.column_index(c) for c in columns]
                # The drawing uses the dataset's own pixel range (0..16 for digits, 0..255 for MNIST).
                top = float(table.values[:, indices].max(initial=0.0)) or 1.0
                grid = DrawGrid(image[0], image[1], top, box)
                grid.setObjectName(f"drawGrid_{input_id}")
                grid.setMinimumSize(200, 200)
                grid.pixels_changed.connect(lambda input_id=input_id: self._on_drawn(input_id))
                self.grids[input_id] = grid
                hint = QLabel(tr("Draw with the left button, erase with the right one."), box)
                hint.setWordWrap(True)  # a long unwrapped line would push the grid out of view
                box_layout.addWidget(hint)
                box_layout.addWidget(grid, 1)
                clear = QPushButton(tr("Clear"), box)
                clear.setObjectName(f"clearDrawing_{input_id}")
                clear.clicked.connect(grid.clear)
                box_layout.addWidget(clear)
            elif len(columns) <= MAX_FIELDS:
                form = QFormLayout()
                self.fields[input_id] = {}
                for position, column in enumerate(columns):
                    if table.is_categorical(column):
                        editor: QWidget = QComboBox(box)
                        wheel_only_when_focused(editor)  # scrolling past it must not change it
                        editor.addItems(list(table.class_names[column]))
                        editor.currentIndexChanged.connect(
                            lambda _=0, i=input_id, p=position: self._on_field_edited(i, p))
                    else:
                        editor = QLineEdit(box)
                        editor.textEdited.connect(lambda _="", i=input_id, p=position: self._on_field_edited(i, p))
                    editor.setObjectName(f"feature_{input_id}_{column}")
                    form.addRow(column, editor)
                    self.fields[input_id][column] = editor
                box_layout.addLayout(form)
            else:
                box_layout.addWidget(QLabel(tr("{count} values per sample: pick a test sample above to try them.",
                                               count=len(columns)), box))
            self.inputs_layout.addWidget(box)
        self.inputs_layout.addStretch(1)

    def _build_outputs(self, data) -> None:
        self._clear_layout(self.outputs_layout)
        self._bars, self._value_labels, self._best = {}, {}, {}
        prepared = data.prepared
        for output_id, targets in prepared.binding.outputs.items():
            box = QGroupBox(tr("Output '{name}'", name=self._node_name(output_id)), self.outputs_area)
            grid = QGridLayout(box)
            task = prepared.tasks.get(output_id, "regression")
            if task in CLASSIFICATION_TASKS:
                rows = []
                for k, name in enumerate(prepared.class_names.get(output_id, ())):
                    label = QLabel(name, box)
                    bar = QProgressBar(box)
                    bar.setObjectName(f"probability_{output_id}_{k}")
                    bar.setRange(0, 1000)
                    bar.setTextVisible(True)
                    grid.addWidget(label, k, 0)
                    grid.addWidget(bar, k, 1)
                    rows.append((label, bar))
                self._bars[output_id] = rows
            value = QLabel(box)
            value.setObjectName(f"prediction_{output_id}")
            value.setWordWrap(True)
            grid.addWidget(value, len(self._bars.get(output_id, [])), 0, 1, 2)
            self._value_labels[output_id] = value
            self.outputs_layout.addWidget(box)
        self.outputs_layout.addStretch(1)

    # ------------------------------------------------------------ values in
    def load_sample(self, number: int) -> None:
        """Put row `number` (from 1) of the sample part into the fields and drawings (raw units), then predict."""
        index = int(number) - 1
        data = self.session.data
        part, part_name = self._part()
        if data is None or part is None or not self.raw:
            self.predict()
            return
        index = min(max(index, 0), len(part) - 1)
        prepared = data.prepared
        for input_id in self.raw:
            # The parts hold scaled (and one-hot) values; undo both to show what the data file says.
            raw = prepared.raw_columns(input_id, part.inputs[input_id][index])
            self.raw[input_id] = raw.reshape(-1).astype(np.float32)
        self._show_raw_values()
        truths = []
        for output_id, targets in part.targets.items():
            target = np.asarray(targets[index]).reshape(-1)
            names = prepared.class_names.get(output_id, ())
            if prepared.tasks.get(output_id) in CLASSIFICATION_TASKS and names:
                truths.append(names[int(target[0])])
            else:
                truths.append(", ".join(f"{v:.4g}" for v in target))
        self.truth_label.setText(tr("true answer: {answer}  ({part} row {row} of {rows})", answer=" · ".join(truths),
                                    part=tr(part_name), row=index + 1, rows=len(part)))
        self.predict()

    def _show_raw_values(self) -> None:
        self._filling = True
        try:
            for input_id, editors in self.fields.items():
                for position, editor in enumerate(editors.values()):
                    value = float(self.raw[input_id][position])
                    if isinstance(editor, QComboBox):
                        editor.setCurrentIndex(int(round(value)))
                    else:
                        editor.setText(f"{value:.6g}")
            for input_id, grid in self.grids.items():
                grid.set_pixel_values(self.raw[input_id])
        finally:
            self._filling = False

    def _on_field_edited(self, input_id: str, position: int) -> None:
        if self._filling:
            return
        editor = list(self.fields[input_id].values())[position]
        if isinstance(editor, QComboBox):
            self.raw[input_id][position] = float(editor.currentIndex())
        else:
            text = editor.text().strip().replace(",", ".")
            try:
                value = float(text)
            except ValueError:
                column = list(self.fields[input_id])[position]
                self.message_label.setText(tr("Type a number for '{column}'.", column=column))
                return
            if not math.isfinite(value):
                self.message_label.setText(tr("Type an ordinary number (not infinite or NaN)."))
                return
            self.raw[input_id][position] = value
        self.truth_label.setText(tr("your own values"))
        self.predict()

    def _on_drawn(self, input_id: str) -> None:
        self.raw[input_id] = self.grids[input_id].pixel_values()
        if not self._filling:
            self.truth_label.setText(tr("your drawing"))
            self.predict()

    # ------------------------------------------------------------ answer out
    def _on_epoch(self, *_: Any) -> None:
        # During training the answer changes as the network learns: follow it, a few times a second at most.
        if self._late_answer.isActive():
            return
        if self._answered.isValid() and self._answered.elapsed() < LIVE_ANSWER_MS:
            self._late_answer.start(LIVE_ANSWER_MS - self._answered.elapsed())
            return
        self._answer_if_seen()

    def _on_screen(self) -> bool:
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def _answer_if_seen(self, *_: Any) -> None:
        """Answer now if the panel can be seen; otherwise when it is shown (a forward pass for nobody costs the
        training thread its time)."""
        if self._on_screen():
            self.predict()
        else:
            self._stale = True

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.predict()

    def _show_status(self) -> None:
        session = self.session
        if session.is_training:
            text = tr("Training is running: the answer uses the weights learned so far.")
        elif session.model is None:
            text = tr("This network is untrained (random starting weights): its answers are guesses until you "
                      "train it.")
        else:
            text = tr("The trained network answers.")
        if self.status_label.text() != text:
            self.status_label.setText(text)

    def predict(self, *_: Any) -> None:
        """Run the network on the current values and show its answer."""
        self._stale = False
        self._answered.start()
        self._show_status()
        if self.session.data is None or not self.raw:
            return
        # Imported here: the engine brings torch, which the window must not load at start.
        from ...engine.pipeline import RunError  # noqa: PLC0415

        try:
            outputs = self.session.predict({k: v.reshape(1, -1) for k, v in self.raw.items()})
        except (DataError, RunError, ValueError, RuntimeError) as exc:
            # A network with problems (or data that does not fit it) shows why, instead of an answer.
            self.message_label.setText(str(exc))
            return
        self.message_label.clear()
        self.last_outputs = {k: np.asarray(v)[0] for k, v in outputs.items()}
        self._show_outputs()

    def _show_outputs(self) -> None:
        data = self.session.data
        model = self.session.model
        for output_id, row in self.last_outputs.items():
            label = self._value_labels.get(output_id)
            if label is None:
                continue
            task = data.prepared.tasks.get(output_id, "regression")
            if task in CLASSIFICATION_TASKS and output_id in self._bars:
                config = getattr(model, "output_configs", {}).get(output_id)
                probabilities = probabilities_for(row, task, holds_logits(config))
                best = int(np.argmax(probabilities))
                restyle = self._best.get(output_id) != best  # style sheets are slow: change them when needed
                self._best[output_id] = best
                for k, (name_label, bar) in enumerate(self._bars[output_id]):
                    p = float(probabilities[k]) if k < len(probabilities) else 0.0
                    bar.setUpdatesEnabled(False)  # value and text in one repaint, not an immediate one each
                    bar.setValue(int(round(1000 * p)))
                    bar.setFormat(f"{100 * p:.1f}%")
                    bar.setUpdatesEnabled(True)
                    if restyle:
                        bar.setStyleSheet(PREDICTED_STYLE if k == best else OTHER_STYLE)
                        font = name_label.font()
                        font.setBold(k == best)
                        name_label.setFont(font)
                names = data.prepared.class_names.get(output_id, ())
                label.setText(tr("Prediction: <b>{answer}</b>", answer=names[best] if best < len(names) else best))
            else:
                targets = data.prepared.binding.outputs.get(output_id, [])
                values = np.asarray(row, dtype=np.float64).reshape(-1)
                label.setText(tr("Prediction: {values}", values=" · ".join(
                    f"{name} = <b>{value:.4g}</b>" for name, value in zip(targets, values))))

    # ------------------------------------------------------------ for tests and tutorials
    def predicted_class(self, output_id: str) -> Optional[str]:
        """The class the network chose for the current values (None for a number output)."""
        data = self.session.data
        if output_id not in self.last_outputs or data.prepared.tasks.get(output_id) not in CLASSIFICATION_TASKS:
            return None
        model = self.session.model
        config = getattr(model, "output_configs", {}).get(output_id)
        probabilities = probabilities_for(self.last_outputs[output_id], data.prepared.tasks[output_id],
                                          holds_logits(config))
        return data.prepared.class_names[output_id][int(np.argmax(probabilities))]
