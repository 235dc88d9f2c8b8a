"""The Data panel: choose or import a dataset, preview it, bind its columns to Inputs/Outputs, split and scale."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.data import BUILTINS, DataError, Table, bind_columns
from ...core.data.sources import describe_source
from ...core.layers import canonical_type
from ...core.settings import SCALINGS, DataSettings, SettingsError
from ..editing.commands import SetParam, SetProjectSettings
from ..editing.document import Document

PREVIEW_ROWS = 50
TASK_WORDS = {"multiclass": "classes (multiclass)", "binary": "yes/no (binary)", "regression": "numbers (regression)"}
SCALING_TITLES = {"standardize": "Standardise", "pixels": "Pixels (÷ 255)", "none": "None"}
ERROR_STYLE = "color: #b00020;"
CSV_FILTER = "CSV files (*.csv *.txt *.tsv);;All files (*)"
NPZ_FILTER = "NumPy archives (*.npz);;All files (*)"
IDX_FILTER = "MNIST IDX files (*.idx *-ubyte *.gz *idx*);;All files (*)"


def column_kind(table: Table, column: str) -> str:
    """How the preview header describes a column: 'number' or 'category (3 classes)'."""
    if table.is_categorical(column):
        return f"category ({table.num_classes(column)} classes)"
    return "number"


def class_counts_text(table: Table, column: str) -> str:
    """'setosa 50 · versicolor 50 · virginica 50': how many rows each class has."""
    counts = np.bincount(table.class_codes(column), minlength=table.num_classes(column))
    return " · ".join(f"{name} {int(count)}" for name, count in zip(table.classes_of(column), counts))


def input_size_for(table: Table, columns: list[str]) -> tuple[int, ...]:
    """The Input shape that fits these columns: the image shape when they are exactly the image's pixels."""
    if table.image_shape is not None and columns == table.feature_columns(table.default_targets) \
            and math.prod(table.image_shape) == len(columns):
        return tuple(table.image_shape)
    return (len(columns),)


class PreviewModel(QAbstractTableModel):
    """The first rows of a table; category codes are shown as their names."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.table: Optional[Table] = None
        self.rows = 0

    def set_table(self, table: Optional[Table]) -> None:
        self.beginResetModel()
        self.table = table
        self.rows = min(PREVIEW_ROWS, table.n_rows) if table is not None else 0
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.rows

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.table is None else len(self.table.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.table is None or not index.isValid():
            return None
        column = self.table.columns[index.column()]
        value = float(self.table.values[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            if self.table.is_categorical(column):
                names = self.table.class_names[column]
                code = int(value)
                return names[code] if 0 <= code < len(names) else f"{value:g}"
            return f"{value:.6g}"
        if role == Qt.ItemDataRole.TextAlignmentRole and not self.table.is_categorical(column):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self.table is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        column = self.table.columns[section]
        return f"{column}\n{column_kind(self.table, column)}"


class ColumnChooser(QWidget):
    """For one Input (its feature columns) or Output (its targets): 'automatic' or a checked list of columns."""

    def __init__(self, panel: "DataPanel", node_id: str, key: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.panel, self.node_id, self.key = panel, node_id, key
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.automatic = QCheckBox(self)
        self.automatic.setObjectName(f"automatic_{key}_{node_id}")
        self.list = QListWidget(self)
        self.list.setObjectName(f"{key}_{node_id}")
        self.list.setMaximumHeight(130)
        layout.addWidget(self.title)
        layout.addWidget(self.automatic)
        layout.addWidget(self.list)
        self.automatic.toggled.connect(self._on_automatic_toggled)
        self.list.itemChanged.connect(self._on_item_changed)
        self._filling = False

    def fill(self, title: str, automatic_text: str, columns: list[str], chosen: list[str], automatic: bool,
             disabled: set[str]) -> None:
        """Show the columns with the chosen ones checked; `disabled` columns are taken by the other side."""
        self._filling = True
        try:
            self.title.setText(title)
            self.automatic.setText(automatic_text)
            self.automatic.setChecked(automatic)
            self.list.clear()
            for column in columns:
                item = QListWidgetItem(column, self.list)
                flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
                if not automatic and column not in disabled:
                    flags |= Qt.ItemFlag.ItemIsEnabled
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.Checked if column in chosen else Qt.CheckState.Unchecked)
                if column in disabled:
                    item.setToolTip("Another part of the network uses this column")
        finally:
            self._filling = False

    def checked_columns(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _on_automatic_toggled(self, automatic: bool) -> None:
        if self._filling:
            return
        # Automatic stores no columns; turning it off starts from what automatic chose, so nothing jumps.
        self.panel.set_binding(self.node_id, self.key, [] if automatic else self.checked_columns())

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        self.panel.set_binding(self.node_id, self.key, self.checked_columns())


class DataPanel(QWidget):
    """Everything about the project's data; every change is an undo step on the document."""

    def __init__(self, document: Document, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self.document = document
        self.session = session
        # A table loaded here when the session has none (its binding failed, or it has not loaded yet), so the
        # student still sees the columns and can fix the binding. Dropped once the session holds the data.
        self._own_error = ""
        self._import_error = ""
        self._binding_signature: Optional[str] = None
        self._choosers: list[ColumnChooser] = []
        self._updating = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        # ---- dataset choice
        source_box = QGroupBox("Dataset", body)
        source_layout = QVBoxLayout(source_box)
        self.dataset_combo = QComboBox(source_box)
        self.dataset_combo.setObjectName("datasetCombo")
        self.dataset_combo.addItem("Choose a built-in dataset…", None)
        for info in BUILTINS.values():
            self.dataset_combo.addItem(f"{info.title} — {info.rows} rows, {TASK_WORDS[info.task]}", info.name)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, info.description,
                                           Qt.ItemDataRole.ToolTipRole)
        self.dataset_combo.activated.connect(self._on_dataset_chosen)
        source_layout.addWidget(self.dataset_combo)
        buttons = QHBoxLayout()
        self.import_csv_button = QPushButton("Import CSV…", source_box)
        self.import_npz_button = QPushButton("Import .npz…", source_box)
        self.import_idx_button = QPushButton("Import MNIST (IDX)…", source_box)
        for button, slot in ((self.import_csv_button, self.import_csv), (self.import_npz_button, self.import_npz),
                             (self.import_idx_button, self.import_idx)):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        source_layout.addLayout(buttons)
        self.source_label = QLabel(source_box)
        self.source_label.setObjectName("dataSource")
        self.source_label.setWordWrap(True)
        source_layout.addWidget(self.source_label)
        self.error_label = QLabel(source_box)
        self.error_label.setObjectName("dataError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        source_layout.addWidget(self.error_label)
        layout.addWidget(source_box)

        # ---- preview
        preview_box = QGroupBox("First rows", body)
        preview_layout = QVBoxLayout(preview_box)
        self.class_counts_label = QLabel(preview_box)
        self.class_counts_label.setObjectName("classCounts")
        self.class_counts_label.setWordWrap(True)
        preview_layout.addWidget(self.class_counts_label)
        self.preview_model = PreviewModel(self)
        self.preview = QTableView(preview_box)
        self.preview.setObjectName("dataPreview")
        self.preview.setModel(self.preview_model)
        self.preview.verticalHeader().setDefaultSectionSize(22)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setDefaultSectionSize(90)
        self.preview.setMinimumHeight(180)
        preview_layout.addWidget(self.preview)
        layout.addWidget(preview_box)

        # ---- binding
        self.binding_box = QGroupBox("Which columns go where", body)
        self.binding_box.setObjectName("dataBinding")
        binding_layout = QVBoxLayout(self.binding_box)
        self.binding_note = QLabel(self.binding_box)
        self.binding_note.setObjectName("bindingNote")
        self.binding_note.setWordWrap(True)
        binding_layout.addWidget(self.binding_note)
        self.choosers_area = QWidget(self.binding_box)
        self.choosers_layout = QVBoxLayout(self.choosers_area)
        self.choosers_layout.setContentsMargins(0, 0, 0, 0)
        binding_layout.addWidget(self.choosers_area)
        self.size_input_button = QPushButton("Size the Input from the data", self.binding_box)
        self.size_input_button.setObjectName("sizeInputButton")
        self.size_input_button.setToolTip("Set each Input's shape to the number of columns it takes "
                                          "(or the image size)")
        self.size_input_button.clicked.connect(self.size_inputs_from_data)
        binding_layout.addWidget(self.size_input_button)
        layout.addWidget(self.binding_box)

        # ---- split and scaling
        split_box = QGroupBox("Split and scaling", body)
        form = QFormLayout(split_box)
        self.validation_spin = self._fraction_spin("validationFraction", split_box,
                                                   "Share of rows kept aside to watch for overfitting")
        self.test_spin = self._fraction_spin("testFraction", split_box,
                                             "Share of rows the network never sees until the final test")
        self.seed_spin = QSpinBox(split_box)
        self.seed_spin.setObjectName("splitSeed")
        self.seed_spin.setRange(0, 2_147_483_647)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip("The same seed gives the same split every time")
        self.stratify_check = QCheckBox("Keep the class proportions in every part (stratify)", split_box)
        self.stratify_check.setObjectName("stratify")
        self.scaling_combo = QComboBox(split_box)
        self.scaling_combo.setObjectName("scaling")
        for key, description in SCALINGS.items():
            self.scaling_combo.addItem(SCALING_TITLES.get(key, key), key)
            self.scaling_combo.setItemData(self.scaling_combo.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
        self.scaling_description = QLabel(split_box)
        self.scaling_description.setObjectName("scalingDescription")
        self.scaling_description.setWordWrap(True)
        form.addRow("Validation", self.validation_spin)
        form.addRow("Test", self.test_spin)
        form.addRow("Split seed", self.seed_spin)
        form.addRow(self.stratify_check)
        form.addRow("Scaling", self.scaling_combo)
        form.addRow(self.scaling_description)
        self.settings_error = QLabel(split_box)
        self.settings_error.setObjectName("dataSettingsError")
        self.settings_error.setStyleSheet(ERROR_STYLE)
        self.settings_error.setWordWrap(True)
        self.settings_error.hide()
        form.addRow(self.settings_error)
        layout.addWidget(split_box)
        layout.addStretch(1)

        self.validation_spin.valueChanged.connect(self._on_split_edited)
        self.test_spin.valueChanged.connect(self._on_split_edited)
        self.seed_spin.valueChanged.connect(self._on_split_edited)
        self.stratify_check.toggled.connect(self._on_split_edited)
        self.scaling_combo.currentIndexChanged.connect(self._on_split_edited)

        document.settings_changed.connect(self._on_settings_changed)
        document.project_replaced.connect(self._show_settings)  # the session's data_changed follows
        document.analysis_changed.connect(self._on_graph_maybe_changed)
        if hasattr(session, "data_changed"):
            session.data_changed.connect(self.refresh)
        self.refresh()

    @staticmethod
    def _fraction_spin(name: str, parent: QWidget, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(parent)
        spin.setObjectName(name)
        spin.setRange(0.0, 0.9)
        spin.setSingleStep(0.05)
        spin.setDecimals(2)
        spin.setKeyboardTracking(False)  # one undo step per typed value, not one per keystroke
        spin.setToolTip(tip)
        return spin

    # ------------------------------------------------------------ the table shown
    def current_table(self) -> Optional[Table]:
        """The project's table: the session's when it has data, else read through the session's table cache."""
        data = self.session.data
        if data is not None:
            self._own_error = ""
            return data.table
        source = self.document.project.data.source
        if not source:
            self._own_error = ""
            return None
        try:
            table = self.session.tables.load(source, self.document.project.base_dir)
        except DataError as exc:
            self._own_error = str(exc)
            return None
        self._own_error = ""
        return table

    # ------------------------------------------------------------ refresh
    def _on_settings_changed(self, part: str) -> None:
        # The session reloads the data after this (on its own timer) and then emits data_changed, which
        # refreshes the table; showing its table now would show the previous dataset for a moment.
        if part == "data":
            self._show_settings()
            if getattr(self.session, "data_changed", None) is None:
                self.refresh()

    def _on_graph_maybe_changed(self) -> None:
        # Analysis runs on every edit (moves too); rebuild the binding only when Inputs/Outputs changed.
        if self._binding_state_signature() != self._binding_signature:
            self._refresh_binding(self.current_table())

    def refresh(self) -> None:
        """Show the project's data settings, its table and its binding."""
        self._show_settings()
        table = self.current_table()
        self._show_source(table)
        self.preview_model.set_table(table)
        self._refresh_binding(table)
        self._show_errors()

    def _show_settings(self) -> None:
        self._updating = True
        try:
            settings = self.document.project.data
            source = settings.source
            index = 0
            if isinstance(source, dict) and source.get("kind") == "builtin":
                found = self.dataset_combo.findData(source.get("name"))
                index = max(found, 0)
            self.dataset_combo.setItemText(0, "Choose a built-in dataset…" if not source or index
                                           else f"From a file: {describe_source(source)}")
            self.dataset_combo.setCurrentIndex(index)
            self.validation_spin.setValue(settings.validation_fraction)
            self.test_spin.setValue(settings.test_fraction)
            self.seed_spin.setValue(int(settings.split_seed))
            self.stratify_check.setChecked(bool(settings.stratify))
            self.scaling_combo.setCurrentIndex(max(self.scaling_combo.findData(settings.scaling), 0))
            self.scaling_description.setText(SCALINGS.get(settings.scaling, ""))
        finally:
            self._updating = False

    def _show_source(self, table: Optional[Table]) -> None:
        source = self.document.project.data.source
        if not source:
            self.source_label.setText("No data yet: choose a built-in dataset or import a file.")
            return
        text = f"<b>{describe_source(source)}</b>"
        if table is not None:
            if table.description:
                text += f"<br>{table.description}"
            text += f"<br>{table.n_rows} rows · {len(table.columns)} columns"
            if table.image_shape:
                text += f" · images {'×'.join(map(str, table.image_shape))}"
        self.source_label.setText(text)

    def _show_errors(self) -> None:
        """One red message: the last failed import, else why the session could not use the data."""
        message = self._import_error or getattr(self.session, "data_error", "") or self._own_error
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def error_text(self) -> str:
        return self.error_label.text() if self.error_label.isVisible() else ""

    # ------------------------------------------------------------ binding
    def _io_nodes(self) -> tuple[list, list]:
        nodes = list(self.document.graph.nodes.values())
        inputs = [n for n in nodes if canonical_type(n.type) == "Input"]
        outputs = [n for n in nodes if canonical_type(n.type) == "Output"]
        return inputs, outputs

    def _binding_state_signature(self) -> str:
        inputs, outputs = self._io_nodes()
        parts = [(n.id, n.name, list(n.params.get("columns") or ()), list(n.params.get("shape") or ()))
                 for n in inputs]
        parts += [(n.id, n.name, list(n.params.get("targets") or ()), n.params.get("task")) for n in outputs]
        return json.dumps([parts, id(self._current_table_object())], default=str)

    def _current_table_object(self) -> Optional[Table]:
        data = self.session.data
        if data is not None:
            return data.table
        source = self.document.project.data.source
        return self.session.tables.get(source, self.document.project.base_dir) if source else None

    def _refresh_binding(self, table: Optional[Table]) -> None:
        self._binding_signature = self._binding_state_signature()
        for chooser in self._choosers:
            chooser.setParent(None)
            chooser.deleteLater()
        self._choosers = []
        inputs, outputs = self._io_nodes()
        self.class_counts_label.clear()
        if table is None:
            self.binding_note.setText("Choose data first; then you can say which columns feed which Input.")
            self.size_input_button.setEnabled(False)
            return
        if not inputs or not outputs:
            self.binding_note.setText("Add an Input and an Output layer to the network to bind the data to it.")
        graph = self.document.graph.to_dict()
        # The nodes that can be bound show their columns ticked even when another cannot be (it starts empty).
        binding, problems = bind_columns(table, graph)
        bound_inputs, bound_outputs = binding.inputs, binding.outputs
        if problems:
            self.binding_note.setText(next(iter(problems.values())))
        else:
            if len(inputs) == 1 and len(outputs) == 1 and not inputs[0].params.get("columns") \
                    and not outputs[0].params.get("targets"):
                targets = bound_outputs.get(outputs[0].id, [])
                self.binding_note.setText(
                    f"Automatic: one Input and one Output, so '{outputs[0].name}' learns to predict "
                    f"{', '.join(targets)} and '{inputs[0].name}' takes the other "
                    f"{len(bound_inputs.get(inputs[0].id, []))} columns. Untick 'automatic' to choose.")
            elif inputs and outputs:
                self.binding_note.setText("Each Input takes the ticked columns; each Output learns to predict "
                                          "its ticked target(s).")
        all_targets = {c for targets in bound_outputs.values() for c in targets}
        for node in outputs:
            chooser = ColumnChooser(self, node.id, "targets", self.choosers_area)
            explicit = list(node.params.get("targets") or ())
            usual = ", ".join(table.default_targets) or "none"
            chooser.fill(f"Output '{node.name}' learns to predict:", f"Automatic (the usual target: {usual})",
                         table.columns, bound_outputs.get(node.id, explicit), not explicit, set())
            self.choosers_layout.addWidget(chooser)
            self._choosers.append(chooser)
        for node in inputs:
            chooser = ColumnChooser(self, node.id, "columns", self.choosers_area)
            explicit = list(node.params.get("columns") or ())
            chooser.fill(f"Input '{node.name}' takes these feature columns:",
                         "Automatic (every column that is not a target)", table.columns,
                         bound_inputs.get(node.id, explicit), not explicit, all_targets)
            self.choosers_layout.addWidget(chooser)
            self._choosers.append(chooser)
        self.size_input_button.setEnabled(bool(bound_inputs))
        counts = []
        for node in outputs:
            for column in bound_outputs.get(node.id, []):
                task = node.params.get("task", "auto")
                task = table.task_of(column) if task == "auto" else task
                if task in ("multiclass", "binary") and table.num_classes(column) <= 100:
                    counts.append(f"<b>{column}</b>: {class_counts_text(table, column)}")
        self.class_counts_label.setText("<br>".join(counts))

    def set_binding(self, node_id: str, key: str, columns: list[str]) -> None:
        """Give an Input its feature columns or an Output its targets (empty = automatic), as one undo step."""
        node = self.document.graph.nodes.get(node_id)
        if node is None or list(node.params.get(key) or ()) == list(columns):
            return
        command = SetParam(self.document.graph, node_id, key, list(columns))
        if not self._push_steps([command], command.text()):
            self._refresh_binding(self.current_table())  # refused while training: show the real state again

    def _push_steps(self, commands: list, text: str) -> bool:
        """Push commands as one undo step of their own.

        A macro, even around one command, because SetParam merges with the previous change of the same
        setting (right for a spin-box drag), while each tick in a column list should undo on its own."""
        if self.document.edit_lock_reason:
            self.document.edit_refused.emit(self.document.edit_lock_reason)
            return False
        stack = self.document.undo_stack
        stack.beginMacro(text)
        for command in commands:
            stack.push(command)
        stack.endMacro()
        return True

    def size_inputs_from_data(self) -> None:
        """Set every Input's shape to what its columns give (the issue: input sizes follow the data)."""
        table = self.current_table()
        if table is None:
            return
        changes, problems = self._input_size_steps(table, self.document.graph.to_dict())
        if not changes:
            self.binding_note.setText(problems[0] if problems else "Every Input already has the size its columns "
                                                                  "give.")
            return
        self._push_steps(changes, changes[0].text() if len(changes) == 1 else "Size the Inputs from the data")

    def _input_size_steps(self, table: Table, graph: dict) -> tuple[list[SetParam], list[str]]:
        """A SetParam for each Input whose shape does not fit the columns it takes from `table` in `graph`.

        `graph` may differ from the live one (bindings about to be reset); the Inputs that cannot be bound are
        left as they are, and why comes back as the second part."""
        binding, problems = bind_columns(table, graph)
        changes = []
        for node_id, columns in binding.inputs.items():
            node = self.document.graph.node(node_id)
            current = tuple(node.params.get("shape") or ())
            wanted = input_size_for(table, columns)
            if math.prod(current) != math.prod(wanted):
                changes.append(SetParam(self.document.graph, node_id, "shape", list(wanted)))
        return changes, list(problems.values())

    # ------------------------------------------------------------ choosing data
    def _on_dataset_chosen(self, index: int) -> None:
        name = self.dataset_combo.itemData(index)
        if name is None:
            self.refresh()  # the placeholder (or the current file) was chosen again: nothing changes
            return
        info = BUILTINS[name]
        self.choose_source({"kind": "builtin", "name": name}, f"Choose dataset {info.title}")

    def choose_builtin(self, name: str) -> bool:
        """Choose a built-in dataset by its short name, as picking it in the list does."""
        return self.choose_source({"kind": "builtin", "name": name}, f"Choose dataset {BUILTINS[name].title}")

    def choose_source(self, source: dict, text: str) -> bool:
        """Load the data once; only if it loads does it become the project's data (one undo step)."""
        current = self.document.project.data
        if current.source == source:
            self.refresh()
            return True
        try:
            # Read into the session's cache: the session then binds this very table, without reading it again.
            table = self.session.tables.load(source, self.document.project.base_dir)
        except DataError as exc:
            self._import_error = str(exc)
            self.refresh()
            return False
        self._import_error = ""
        new_settings = dataclasses.replace(current, source=dict(source))
        if source.get("kind") == "idx" or (table.image_shape and float(table.values.max(initial=0)) > 16):
            new_settings.scaling = "pixels"  # 0..255 pixels: the usual scaling for images
        stale = self._stale_bindings(table)
        # Bindings and Input sizes first, the data last: the session reloads once, on the final settings change.
        # All in one undo step, so one Ctrl+Z brings back the old data with the sizes that fitted it.
        commands = [SetParam(self.document.graph, node_id, key, []) for node_id, key in stale]
        sizes, _ = self._input_size_steps(table, self._graph_after_reset(stale))
        commands += sizes
        commands.append(SetProjectSettings(self.document, "data", new_settings, text))
        if not self._push_steps(commands, text):
            self.refresh()
            return False
        return True

    def _graph_after_reset(self, stale: list[tuple[str, str]]) -> dict:
        """The graph's snapshot as it will be once the stale columns/targets are back to automatic."""
        graph = self.document.graph.to_dict()
        for node in graph.get("nodes", []):
            for node_id, key in stale:
                if node.get("id") == node_id:
                    node.setdefault("params", {})[key] = []
        return graph

    def _stale_bindings(self, table: Table) -> list[tuple[str, str]]:
        """Columns/targets naming columns the new table lacks go back to automatic."""
        stale = []
        inputs, outputs = self._io_nodes()
        for node, key in [(n, "columns") for n in inputs] + [(n, "targets") for n in outputs]:
            chosen = list(node.params.get(key) or ())
            if chosen and not all(table.has_column(c) for c in chosen):
                stale.append((node.id, key))
        return stale

    def ask_open_path(self, title: str, file_filter: str) -> Optional[str]:
        """Ask for a file to open (tests replace this); None when the student cancels."""
        path, _ = QFileDialog.getOpenFileName(self, title, self._start_folder(), file_filter)
        return path or None

    def _start_folder(self) -> str:
        base = self.document.project.base_dir
        return str(base) if base is not None else str(Path.home())

    def import_csv(self) -> bool:
        path = self.ask_open_path("Import a CSV file", CSV_FILTER)
        if not path:
            return False
        return self.choose_source({"kind": "csv", "path": str(Path(path).resolve())},
                                  f"Import {Path(path).name}")

    def import_npz(self) -> bool:
        path = self.ask_open_path("Import a NumPy archive", NPZ_FILTER)
        if not path:
            return False
        return self.choose_source({"kind": "npz", "path": str(Path(path).resolve())},
                                  f"Import {Path(path).name}")

    def import_idx(self) -> bool:
        images = self.ask_open_path("Import MNIST-format images (IDX)", IDX_FILTER)
        if not images:
            return False
        # The labels file is optional: cancelling the second dialog imports the images alone.
        labels = self.ask_open_path("Labels for these images (optional: cancel for none)", IDX_FILTER)
        source: dict = {"kind": "idx", "images": str(Path(images).resolve())}
        if labels:
            source["labels"] = str(Path(labels).resolve())
        return self.choose_source(source, f"Import {Path(images).name}")

    # ------------------------------------------------------------ split and scaling
    def _on_split_edited(self, *_: Any) -> None:
        if self._updating:
            return
        current = self.document.project.data
        new_settings = dataclasses.replace(
            current, validation_fraction=round(self.validation_spin.value(), 4),
            test_fraction=round(self.test_spin.value(), 4), split_seed=int(self.seed_spin.value()),
            stratify=self.stratify_check.isChecked(), scaling=self.scaling_combo.currentData())
        if new_settings == current:
            return
        try:
            new_settings.validate()
        except SettingsError as exc:
            self.settings_error.setText(str(exc).capitalize())
            self.settings_error.show()
            self.refresh()  # back to the settings the project really has
            return
        self.settings_error.hide()
        changed = [f.name.replace("_", " ") for f in dataclasses.fields(DataSettings)
                   if getattr(new_settings, f.name) != getattr(current, f.name)]
        if not self.document.push(SetProjectSettings(self.document, "data", new_settings,
                                                     f"Change {', '.join(changed)}")):
            self.refresh()
