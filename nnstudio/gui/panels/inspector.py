"""The inspector: a form built from the selected layer's parameter specs, plus its shape, size and issues."""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.analysis import ERROR
from ...core.graph import GraphError, Node
from ...core.i18n import ntr, tr
from ...core.layers import ParamSpec, format_shape, parse_shape, short_shape
from ..editing.commands import Rename, SetParam
from ..editing.document import Document
from ..widgets.icons import layer_icon
from ..widgets.number_box import REAL_LIMIT, NumberBox, WholeNumberBox
from ..widgets.wheel_guard import wheel_only_when_focused
from .loss_words import CHOICE_HELP, labels_note

ERROR_COLOUR = "#c0392b"
WARNING_COLOUR = "#b9770e"
HELP_STYLE = "color: #6b7280; font-size: 11px;"


def parse_names(text: str) -> tuple[str, ...]:
    """Comma-separated names; empty text means "automatic" (an empty tuple)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def format_value(spec: ParamSpec, value: Any) -> str:
    """The text a line edit shows for a shape or a list of names."""
    if spec.kind == "shape":
        return short_shape(value)  # written the way the canvas labels wires: 8 or 28×28
    return ", ".join(value)


class ShapeValidator(QValidator):
    """Lets the user type a shape digit by digit; only complete shapes are accepted."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if parse_shape(text) is not None:
            return QValidator.State.Acceptable, text, pos
        if re.match(r"^[\s\dx×X*,]*$", text):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos


def _float_step(spec: ParamSpec) -> float:
    """A step that suits the setting: 0.05 for shares like a dropout rate, finer for tiny numbers."""
    low, high = spec.minimum or 0.0, spec.maximum if spec.maximum is not None else 1e6
    if 0 < low < 0.01:
        return 0.0  # tiny values (epsilon): step by decimals instead, see below
    if high <= 1.0:
        return 0.05 if spec.default < 0.9 else 0.01  # a momentum of 0.99 needs fine steps
    return 0.1


class Inspector(QWidget):
    """Shows and edits the selected layer; every edit is one undoable command on the document."""

    def __init__(self, document: Document, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.document = document
        self.node_id: Optional[str] = None
        self._node_type: Optional[str] = None
        self._editors: dict[str, QWidget] = {}
        self._problems: dict[str, QLabel] = {}

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self.message = QLabel(self)
        self.message.setObjectName("inspectorMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #6b7280; font-size: 13px; padding: 24px;")

        document.selection_changed.connect(self._on_selection_changed)
        document.analysis_changed.connect(self.refresh)
        document.project_replaced.connect(lambda: self._on_selection_changed(document.selected_ids))
        self._on_selection_changed(document.selected_ids)

    # ------------------------------------------------------------ what is shown
    def _on_selection_changed(self, node_ids: list) -> None:
        node_id = node_ids[0] if len(node_ids) == 1 else None
        if node_id is None:
            self._show_message(len(node_ids))
        elif node_id != self.node_id or self.document.graph.nodes[node_id].type != self._node_type:
            self._build_form(node_id)
        else:
            self.refresh()

    def _show_message(self, count: int) -> None:
        self.node_id = self._node_type = None
        self._editors, self._problems = {}, {}
        self.message.setText(tr("Select a layer to see its settings") if count == 0
                             else ntr("{n} layer selected\n\nSelect one layer to change its settings",
                                      "{n} layers selected\n\nSelect one layer to change its settings", count))
        self._take_message()
        self.scroll.setWidget(self.message)

    def _take_message(self) -> None:
        # The scroll area deletes the widget it shows when given another; keep the message label alive.
        if self.scroll.widget() is self.message:
            self.scroll.takeWidget()

    def _build_form(self, node_id: str) -> None:
        node = self.document.graph.node(node_id)
        spec = node.spec
        self.node_id, self._node_type = node_id, node.type
        self._editors, self._problems = {}, {}

        page = QWidget()
        page.setObjectName("inspectorPage")
        column = QVBoxLayout(page)
        column.setContentsMargins(10, 10, 10, 10)
        column.setSpacing(8)

        title = QLabel(f"<span style='font-size:15px; font-weight:600'>{node.type}</span>")
        icon = QLabel()
        icon.setPixmap(layer_icon(node.type).pixmap(28, 28))
        header = QWidget()
        header_row = QFormLayout(header)
        header_row.setContentsMargins(0, 0, 0, 0)
        header_row.addRow(icon, title)
        column.addWidget(header)
        about = QLabel(tr(spec.help))
        about.setWordWrap(True)
        about.setStyleSheet(HELP_STYLE)
        column.addWidget(about)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(4)
        self.name_edit = QLineEdit(node.name)
        self.name_edit.setObjectName("inspectorName")
        self.name_edit.setToolTip(tr("The layer's name: it labels the node and names the layer in exported code."))
        self.name_edit.editingFinished.connect(self._commit_name)
        self.name_problem = self._problem_label()
        form.addRow(tr("Name"), self._with_notes(self.name_edit, None, self.name_problem))
        for pspec in spec.params:
            editor = self._make_editor(pspec, node.params.get(pspec.name, pspec.default))
            editor.setObjectName(f"param_{pspec.name}")
            editor.setToolTip(tr(pspec.help))
            if isinstance(editor, (QAbstractSpinBox, QComboBox)):
                wheel_only_when_focused(editor)  # scrolling the form must not change a setting on the way
            self._editors[pspec.name] = editor
            self._problems[pspec.name] = self._problem_label()
            label = QLabel(pspec.title)
            label.setToolTip(tr(pspec.help))
            form.addRow(label, self._with_notes(editor, tr(pspec.help), self._problems[pspec.name]))
            if node.type == "Output" and pspec.name == "loss":
                self._explain_loss_choices(editor, form)
        column.addLayout(form)

        self.shape_label = QLabel()
        self.shape_label.setObjectName("inspectorShape")
        self.params_label = QLabel()
        self.params_label.setObjectName("inspectorParams")
        facts = QFormLayout()
        facts.addRow(tr("Output shape"), self.shape_label)
        facts.addRow(tr("Parameters"), self.params_label)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        column.addWidget(line)
        column.addLayout(facts)
        self.issues_label = QLabel()
        self.issues_label.setObjectName("inspectorIssues")
        self.issues_label.setWordWrap(True)
        self.issues_label.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.issues_label)
        column.addStretch(1)

        self._take_message()
        self.scroll.setWidget(page)
        self.refresh()

    def _explain_loss_choices(self, combo: QComboBox, form: QFormLayout) -> None:
        """Each loss choice says what its labels are; a note under the list says it for the data bound now."""
        for index in range(combo.count()):
            help_text = CHOICE_HELP.get(combo.itemText(index))
            if help_text:
                combo.setItemData(index, tr(help_text), Qt.ItemDataRole.ToolTipRole)
        self.loss_note = QLabel()
        self.loss_note.setObjectName("lossLabelsNote")
        self.loss_note.setWordWrap(True)
        form.addRow(tr("Labels"), self.loss_note)

    @staticmethod
    def _problem_label() -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {ERROR_COLOUR}; font-size: 11px;")
        label.hide()
        return label

    @staticmethod
    def _with_notes(editor: QWidget, help_text: Optional[str], problem: QLabel) -> QWidget:
        """The editor with its problem line (shown only when needed) and a small help line under it."""
        box = QWidget()
        rows = QVBoxLayout(box)
        rows.setContentsMargins(0, 0, 0, 4)
        rows.setSpacing(1)
        rows.addWidget(editor)
        rows.addWidget(problem)
        if help_text:
            note = QLabel(help_text)
            note.setWordWrap(True)
            note.setStyleSheet(HELP_STYLE)
            rows.addWidget(note)
        return box

    # ------------------------------------------------------------ editors per kind of setting
    def _make_editor(self, spec: ParamSpec, value: Any) -> QWidget:
        commit: Callable[[Any], None] = lambda new, key=spec.name: self._commit(key, new)
        if spec.kind == "int":
            whole = WholeNumberBox(spec.minimum, spec.maximum, setting=spec.title)
            whole.setValue(int(value))
            whole.valueChanged.connect(commit)
            return whole
        if spec.kind == "float":
            high = spec.maximum if spec.maximum is not None else REAL_LIMIT
            if spec.maximum_exclusive:
                high = high - 0.001  # e.g. a dropout rate just below 1
            low = spec.minimum if spec.minimum is not None else -REAL_LIMIT
            real = NumberBox(low, high, step=_float_step(spec) or None, setting=spec.title)
            real.setValue(float(value))
            real.valueChanged.connect(commit)
            return real
        if spec.kind == "bool":
            check = QCheckBox(tr("on"))
            check.setChecked(bool(value))
            check.toggled.connect(commit)
            return check
        if spec.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            combo.setCurrentText(str(value))
            combo.currentTextChanged.connect(commit)
            return combo
        # shape, columns, metrics, text: typed, committed on Enter or leaving the field.
        edit = QLineEdit(format_value(spec, value) if spec.kind != "text" else str(value))
        if spec.kind == "shape":
            edit.setValidator(ShapeValidator(edit))
            edit.setPlaceholderText(tr("e.g. 8 or 28×28"))
        elif spec.kind in ("columns", "metrics"):
            edit.setPlaceholderText(tr("automatic"))
        edit.editingFinished.connect(lambda key=spec.name, e=edit: self._commit_text(key, e))
        return edit

    # ------------------------------------------------------------ edits
    def _node(self) -> Optional[Node]:
        return self.document.graph.nodes.get(self.node_id) if self.node_id else None

    def _commit(self, key: str, value: Any) -> None:
        node = self._node()
        if node is None or node.params.get(key) == value:
            return
        problem = node.spec.param(key).problem(value)
        if problem:
            self._show_problem(key, problem)
            return
        self._show_problem(key, None)
        if not self.document.push(SetParam(self.document.graph, node.id, key, value)):
            self.refresh()  # refused (training runs): show the real value again

    def _commit_text(self, key: str, edit: QLineEdit) -> None:
        node = self._node()
        if node is None:
            return
        spec = node.spec.param(key)
        text = edit.text()
        if spec.kind == "shape":
            value: Any = parse_shape(text)
            if value is None:
                self._show_problem(key, tr("{setting} must be whole numbers like 8 or 28×28", setting=tr(spec.title)))
                return
        elif spec.kind in ("columns", "metrics"):
            value = parse_names(text)
        else:
            value = text
        edit.setModified(False)
        self._commit(key, spec.normalise(value))

    def _commit_name(self) -> None:
        node = self._node()
        new_name = self.name_edit.text().strip()
        if node is None or new_name == node.name:
            self.name_problem.hide()
            return
        problem = self.document.graph.rename_problem(node.id, new_name)
        if problem:
            self.name_problem.setText(tr("Cannot rename: {reason}.", reason=problem))
            self.name_problem.show()
            return
        self.name_problem.hide()
        try:
            self.document.push(Rename(self.document.graph, node.id, new_name))
        except GraphError as exc:  # checked above, but the graph has the last word
            self.name_problem.setText(tr("Cannot rename: {reason}.", reason=exc))
            self.name_problem.show()

    def _show_problem(self, key: str, message: Optional[str]) -> None:
        label = self._problems.get(key)
        if label is None:
            return
        label.setText(message or "")
        label.setVisible(bool(message))

    # ------------------------------------------------------------ following the graph
    def refresh(self) -> None:
        """Show the node's current values (after undo, or an edit elsewhere) without fighting typing."""
        if self.node_id is None:
            return
        node = self._node()
        if node is None:  # deleted (or undone away): nothing left to show
            self._show_message(0)
            return
        if node.type != self._node_type:
            self._build_form(node.id)
            return
        if not self.name_edit.hasFocus() or not self.name_edit.isModified():
            self.name_edit.setText(node.name)
        for key, editor in self._editors.items():
            self._set_editor_value(node.spec.param(key), editor, node.params.get(key))
        analysis = self.document.analysis
        self.shape_label.setText(format_shape(analysis.shapes.get(node.id)))
        total, trainable = analysis.params.get(node.id, 0), analysis.trainable.get(node.id, 0)
        count = f"{total:,}"
        if total != trainable:
            count = tr("{total}  ({trainable} trainable)", total=f"{total:,}", trainable=f"{trainable:,}")
        self.params_label.setText(count)
        lines = []
        for issue in analysis.issues_for(node.id):
            colour, mark = (ERROR_COLOUR, "✖") if issue.severity == ERROR else (WARNING_COLOUR, "⚠")
            lines.append(f"<p style='color:{colour}; margin:2px 0'>{mark} {_escape(issue.message)}</p>")
        self.issues_label.setText("".join(lines))
        self.issues_label.setVisible(bool(lines))
        if node.type == "Output":
            context = self.document.data_context
            self.loss_note.setText(labels_note(node.params, context.output_targets.get(node.id) if context else None))

    @staticmethod
    def _set_editor_value(spec: ParamSpec, editor: QWidget, value: Any) -> None:
        editor.blockSignals(True)  # showing a value is not an edit
        try:
            if isinstance(editor, QAbstractSpinBox) and editor.hasFocus():
                # The user may be half-way through typing; only correct a value that truly differs.
                if isinstance(editor, QDoubleSpinBox) and math.isclose(editor.value(), float(value)):
                    return
                if isinstance(editor, QSpinBox) and editor.value() == value:
                    return
            if isinstance(editor, QSpinBox):
                editor.setValue(int(value))
            elif isinstance(editor, QDoubleSpinBox):
                editor.setValue(float(value))
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            elif isinstance(editor, QLineEdit):
                if not (editor.hasFocus() and editor.isModified()):
                    editor.setText(format_value(spec, value) if spec.kind != "text" else str(value))
        finally:
            editor.blockSignals(False)

    # ------------------------------------------------------------ for tests
    def editor(self, key: str) -> QWidget:
        return self._editors[key]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
