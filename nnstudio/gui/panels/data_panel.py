"""The Data panel: choose or import a dataset, preview it, bind its columns to Inputs/Outputs, split and scale."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.data import BUILTINS, DataError, Table
from ...core.data.binding import (
    binding_state,
    graph_after_reset,
    input_size_changes,
    plan_binding,
    settings_for_new_data,
    stale_bindings,
)
from ...core.data.project_data import split_sizes
from ...core.data.sources import describe_source
from ...core.i18n import N_, tr
from ...core.settings import DataSettings, SettingsError
from ..editing.commands import SetParam, SetProjectSettings
from ..editing.document import Document
from ..widgets import file_dialogs
from ..widgets.fitting_combo import SHORT_TEXT_ROLE, FittingComboBox
from ..widgets.wheel_guard import wheel_only_when_focused
from .column_chooser import ColumnChooser
from .data_preview import PreviewModel
from .data_split_box import ERROR_STYLE, SplitBox
from .dataset_downloads import PREFIX, DatasetDownloads, picker_entry
from .mnist_import import MnistImportDialog

if TYPE_CHECKING:
    from ..training.session import TrainingSession

# Marked with N_ (defined before a language is chosen), shown with tr().
TASK_WORDS = {"multiclass": N_("classes (multiclass)"), "binary": N_("yes/no (binary)"),
              "regression": N_("numbers (regression)")}
CSV_FILTER = N_("CSV files (*.csv *.txt *.tsv);;All files (*)")
NPZ_FILTER = N_("NumPy archives (*.npz);;All files (*)")
# The data settings as an undo step names them ("Change test fraction, scaling").
SETTING_WORDS = {"source": N_("data source"), "validation_fraction": N_("validation fraction"),
                 "test_fraction": N_("test fraction"), "split_seed": N_("split seed"), "stratify": N_("stratify"),
                 "scaling": N_("scaling")}


class DataPanel(QWidget):
    """Everything about the project's data; every change is an undo step on the document."""

    def __init__(self, document: Document, session: "TrainingSession", parent: Optional[QWidget] = None) -> None:
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

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        # ---- dataset choice
        source_box = QGroupBox(tr("Dataset"), body)
        source_layout = QVBoxLayout(source_box)
        self.dataset_combo = FittingComboBox(source_box)
        self.dataset_combo.setObjectName("datasetCombo")
        self.dataset_combo.addItem(tr("Choose a built-in dataset…"), None)
        for info in BUILTINS.values():
            self.dataset_combo.addItem(tr("{title} — {rows} rows, {task}", title=tr(info.title), rows=info.rows,
                                          task=tr(TASK_WORDS[info.task])), info.name)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, tr(info.description),
                                           Qt.ItemDataRole.ToolTipRole)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, tr(info.title), SHORT_TEXT_ROLE)
        self.downloads = DatasetDownloads(self, self.dataset_combo)   # Fashion-MNIST, MNIST, California housing
        self.dataset_combo.activated.connect(self._on_dataset_chosen)
        # The longest title would make the panel wider than its dock: its list shows all, the closed box the title.
        self.dataset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dataset_combo.setMinimumContentsLength(12)
        self.dataset_combo.view().setMinimumWidth(self.dataset_combo.view().sizeHintForColumn(0))
        wheel_only_when_focused(self.dataset_combo)
        source_layout.addWidget(self.dataset_combo)
        buttons = QGridLayout()  # two rows, so the three buttons fit a narrow dock
        self.import_csv_button = QPushButton(tr("Import CSV…"), source_box)
        self.import_npz_button = QPushButton(tr("Import .npz…"), source_box)
        self.import_idx_button = QPushButton(tr("Import MNIST (IDX)…"), source_box)
        for button, slot, place in ((self.import_csv_button, self.import_csv, (0, 0, 1, 1)),
                                    (self.import_npz_button, self.import_npz, (0, 1, 1, 1)),
                                    (self.import_idx_button, self.import_idx, (1, 0, 1, 2))):
            button.clicked.connect(slot)
            buttons.addWidget(button, *place)
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
        self.downloads.add_widgets(source_layout)
        layout.addWidget(source_box)

        # ---- preview
        preview_box = QGroupBox(tr("First rows"), body)
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
        self.binding_box = QGroupBox(tr("Which columns go where"), body)
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
        self.size_input_button = QPushButton(tr("Size the Input from the data"), self.binding_box)
        self.size_input_button.setObjectName("sizeInputButton")
        self.size_input_button.setToolTip(tr("Set each Input's shape to the number of columns it takes "
                                             "(or the image size)"))
        self.size_input_button.clicked.connect(self.size_inputs_from_data)
        binding_layout.addWidget(self.size_input_button)
        layout.addWidget(self.binding_box)

        # ---- split and scaling
        self.split_box = SplitBox(body)
        self.split_box.edited.connect(self._on_split_edited)
        layout.addWidget(self.split_box)
        layout.addStretch(1)

        document.settings_changed.connect(self._on_settings_changed)
        document.project_replaced.connect(self._show_settings)  # the session's data_changed follows
        document.analysis_changed.connect(self._on_graph_maybe_changed)
        session.data_changed.connect(self.refresh)
        self.refresh()
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
            self.split_box.show_scaling_change("", "")  # an undo or another edit: the old note no longer holds
            self._show_settings()

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
        self.preview.resizeColumnsToContents()   # each header whole ("species / category (3 classes)")
        self._show_split(table)
        self._refresh_binding(table)
        self._show_errors()

    def _show_settings(self) -> None:
        settings = self.document.project.data
        source = settings.source
        entry = picker_entry(source)   # a built-in's name or "dataset:<key>"; None for a file
        index = max(self.dataset_combo.findData(entry), 0) if entry else 0
        self.downloads.mark_entries()
        self.dataset_combo.setItemText(0, tr("Choose a built-in dataset…") if not source or index
                                       else tr("From a file: {source}", source=describe_source(source)))
        from_file = isinstance(source, dict) and not index
        file = Path(str(source.get("path") or source.get("images") or "")).name if from_file else ""
        self.dataset_combo.setItemData(0, (tr("From a file: {source}", source=file), file) if file else None,
                                       SHORT_TEXT_ROLE)   # the closed box names the file; the text below says all
        self.dataset_combo.setCurrentIndex(index)
        self.split_box.show_settings(settings)

    def _show_source(self, table: Optional[Table]) -> None:
        source = self.document.project.data.source
        if not source:
            self.source_label.setText(tr("No data yet: choose a built-in dataset or import a file."))
            return
        text = f"<b>{describe_source(source)}</b>"
        if table is not None:
            if table.description:
                text += f"<br>{tr(table.description)}"  # built-in sets' descriptions are N_() English
            if table.image_shape:
                text += "<br>" + tr("{rows} rows · {columns} columns · images {shape}", rows=table.n_rows,
                                    columns=len(table.columns), shape="×".join(map(str, table.image_shape)))
            else:
                text += "<br>" + tr("{rows} rows · {columns} columns", rows=table.n_rows, columns=len(table.columns))
        self.source_label.setText(text)

    def _show_split(self, table: Optional[Table]) -> None:
        if table is None:
            self.split_box.show_split(None)
            return
        self.split_box.show_split(split_sizes(table, self.document.project.data), bool(table.test_rows),
                                  table.whole_is_every_split)

    def _show_errors(self) -> None:
        """One red message: the last failed import, else why the session could not use the data."""
        message = self._import_error or self.session.data_error or self._own_error
        if self.downloads.show_state():   # an example's dataset not downloaded yet is no error: it offers Download
            message = self._import_error
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def error_text(self) -> str:
        return self.error_label.text() if self.error_label.isVisible() else ""

    # ------------------------------------------------------------ binding
    def _binding_state_signature(self) -> str:
        return json.dumps([binding_state(self.document.graph.to_dict()), id(self._current_table_object())])

    def _current_table_object(self) -> Optional[Table]:
        data = self.session.data
        if data is not None:
            return data.table
        source = self.document.project.data.source
        return self.session.tables.get(source, self.document.project.base_dir) if source else None

    def _refresh_binding(self, table: Optional[Table]) -> None:
        self._binding_signature = self._binding_state_signature()
        plan = plan_binding(table, self.document.graph.to_dict()) if table is not None else None
        wanted = [(choice.node_id, choice.key) for choice in plan.choices] if plan is not None else []
        if wanted != [(chooser.node_id, chooser.key) for chooser in self._choosers]:
            # Other Inputs/Outputs: new lists. The same ones (a tick, a new dataset) are refilled in place.
            for chooser in self._choosers:
                chooser.setParent(None)
                chooser.deleteLater()
            self._choosers = []
        self.class_counts_label.clear()
        if table is None or plan is None:
            self.binding_note.setText(tr("Choose data first; then you can say which columns feed which Input."))
            self.size_input_button.setEnabled(False)
            return
        self.binding_note.setText(plan.note)
        usual = ", ".join(table.default_targets) or tr("none")
        fresh = not self._choosers
        for index, choice in enumerate(plan.choices):
            chooser = ColumnChooser(choice.node_id, choice.key, self.choosers_area) if fresh else self._choosers[index]
            if choice.key == "targets":
                chooser.fill(tr("Output '{name}' learns to predict:", name=choice.node_name),
                             tr("Automatic (the usual target: {targets})", targets=usual), table.columns, choice)
            else:
                chooser.fill(tr("Input '{name}' takes these feature columns:", name=choice.node_name),
                             tr("Automatic: all but the target columns"), table.columns, choice)
            if fresh:
                chooser.columns_chosen.connect(self.set_binding)
                self.choosers_layout.addWidget(chooser)
                self._choosers.append(chooser)
        self.size_input_button.setEnabled(plan.can_size_inputs)
        self.class_counts_label.setText("<br>".join(f"<b>{column}</b>: {counts}"
                                                    for column, counts in plan.class_counts))

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
            self.binding_note.setText(problems[0] if problems else tr("Every Input already has the size its columns "
                                                                     "give."))
            return
        self._push_steps(changes, changes[0].text() if len(changes) == 1 else tr("Size the Inputs from the data"))

    def _input_size_steps(self, table: Table, graph: dict) -> tuple[list[SetParam], list[str]]:
        """A SetParam for each Input whose shape does not fit its columns in `graph` (which may be the graph as
        it will be once stale bindings are reset), and why the Inputs that cannot be bound are left as they are."""
        shapes, problems = input_size_changes(table, graph)
        return [SetParam(self.document.graph, node_id, "shape", list(shape)) for node_id, shape in shapes.items()], \
            problems

    # ------------------------------------------------------------ choosing data
    def _on_dataset_chosen(self, index: int) -> None:
        name = self.dataset_combo.itemData(index)
        if name is None:
            self.refresh()  # the placeholder (or the current file) was chosen again: nothing changes
            return
        if name.startswith(PREFIX):
            self.downloads.choose(name[len(PREFIX):])
            return
        info = BUILTINS[name]
        self.choose_source({"kind": "builtin", "name": name}, tr("Choose dataset {title}", title=tr(info.title)))

    def choose_builtin(self, name: str) -> bool:
        """Choose a built-in dataset by its short name, as picking it in the list does."""
        return self.choose_source({"kind": "builtin", "name": name},
                                  tr("Choose dataset {title}", title=tr(BUILTINS[name].title)))

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
        graph = self.document.graph.to_dict()
        stale = stale_bindings(table, graph)
        # Bindings and Input sizes first, the data last: the session reloads once, on the final settings change.
        # All in one undo step, so one Ctrl+Z brings back the old data with the sizes that fitted it.
        commands = [SetParam(self.document.graph, node_id, key, []) for node_id, key in stale]
        sizes, _ = self._input_size_steps(table, graph_after_reset(graph, stale))
        commands += sizes
        new_settings = settings_for_new_data(current, source, table)
        commands.append(SetProjectSettings(self.document, "data", new_settings, text))
        if not self._push_steps(commands, text):
            self.refresh()
            return False
        self.split_box.show_scaling_change(current.scaling, new_settings.scaling)
        return True

    def ask_open_path(self, title: str, file_filter: str) -> Optional[str]:
        """Ask for a file to open, starting in the last data folder (tests replace this); None on cancel."""
        path = file_dialogs.ask_open_file(self, title, file_filter, file_dialogs.DATA)
        return str(path) if path is not None else None

    def import_csv(self) -> bool:
        return self._import_file("csv", tr("Import a CSV file"), tr(CSV_FILTER))

    def import_npz(self) -> bool:
        return self._import_file("npz", tr("Import a NumPy archive"), tr(NPZ_FILTER))

    def _import_file(self, kind: str, title: str, file_filter: str) -> bool:
        path = self.ask_open_path(title, file_filter)
        if not path:
            return False
        return self.choose_source({"kind": kind, "path": str(Path(path).resolve())},
                                  tr("Import {file}", file=Path(path).name))

    def ask_idx_source(self) -> Optional[dict]:
        """Ask for MNIST-format files in one dialog (tests replace this); None when the student cancels."""
        dialog = MnistImportDialog(self)
        try:
            return dialog.source() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def import_idx(self) -> bool:
        source = self.ask_idx_source()
        if not source:
            return False
        return self.choose_source(source, tr("Import {file}", file=Path(source["images"]).name))

    # ------------------------------------------------------------ split and scaling
    def _on_split_edited(self) -> None:
        current = self.document.project.data
        new_settings = self.split_box.settings_from(current)
        if new_settings == current:
            return
        try:
            new_settings.validate()
        except SettingsError as exc:
            self.split_box.show_error(str(exc).capitalize())
            self.refresh()  # back to the settings the project really has
            return
        self.split_box.show_error("")
        changed = [tr(SETTING_WORDS[f.name]) if f.name in SETTING_WORDS else f.name.replace("_", " ")
                   for f in dataclasses.fields(DataSettings)
                   if getattr(new_settings, f.name) != getattr(current, f.name)]
        if not self.document.push(SetProjectSettings(self.document, "data", new_settings,
                                                     tr("Change {setting}", setting=", ".join(changed)))):
            self.refresh()
