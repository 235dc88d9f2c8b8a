"""The palette, inspector, summary table and issues list, driven as a student would (no canvas needed)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QSpinBox

from nnstudio.core.layers import layers_by_category, parse_shape
from nnstudio.gui.editing.commands import AddNode, Connect
from nnstudio.gui.editing.document import Document
from nnstudio.gui.panels.inspector import Inspector
from nnstudio.gui.panels.issues_panel import NO_PROBLEMS, IssuesPanel
from nnstudio.gui.panels.palette import LAYER_MIME_TYPE, Palette
from nnstudio.gui.panels.summary_panel import SummaryPanel


@pytest.fixture
def document(qtbot):
    return Document()


def add_chain(document: Document, *layers: tuple[str, dict]) -> list[str]:
    """Add layers one after another, wired in a row, each as its own undo step."""
    ids: list[str] = []
    for type_name, params in layers:
        command = AddNode(document.graph, type_name, (len(ids) * 200.0, 0.0), params)
        document.push(command)
        if ids:
            document.push(Connect(document.graph, ids[-1], "out", command.node_id, "in"))
        ids.append(command.node_id)
    return ids


def test_palette_groups_every_layer_with_icon_and_help(qtbot):
    palette = Palette()
    qtbot.addWidget(palette)
    assert palette.objectName() == "palette"
    expected = [spec.type for specs in layers_by_category().values() for spec in specs]
    assert palette.layer_types() == expected
    headings = [palette.tree.topLevelItem(i).text(0) for i in range(palette.tree.topLevelItemCount())]
    assert headings[:2] == ["Inputs & outputs", "Core"]
    for type_name in expected:
        item = palette.item_for(type_name)
        assert not item.icon(0).isNull(), type_name
        assert len(item.toolTip(0)) > 40, type_name  # a sentence a student can read


def test_palette_search_filters_by_name_and_help(qtbot):
    palette = Palette()
    qtbot.addWidget(palette)
    qtbot.keyClicks(palette.search, "dense")
    assert "Dense" in palette.visible_layer_types()
    assert "Dropout" not in palette.visible_layer_types()
    palette.search.clear()
    qtbot.keyClicks(palette.search, "shortcut")  # only in Add's help text
    assert palette.visible_layer_types() == ["Add"]
    palette.search.clear()
    assert palette.visible_layer_types() == palette.layer_types()


def test_palette_drag_data_and_double_click(qtbot):
    palette = Palette()
    qtbot.addWidget(palette)
    from nnstudio.gui.canvas import LAYER_MIME_TYPE as CANVAS_READS

    assert LAYER_MIME_TYPE == CANVAS_READS  # the palette writes what the canvas reads
    mime = palette.mime_data_for("Dense")
    assert bytes(mime.data(LAYER_MIME_TYPE)).decode("utf-8") == "Dense"
    with qtbot.waitSignal(palette.layer_requested) as blocker:
        palette.tree.itemDoubleClicked.emit(palette.item_for("Dropout"), 0)
    assert blocker.args == ["Dropout"]
    palette.tree.setCurrentItem(palette.item_for("Flatten"))
    with qtbot.waitSignal(palette.layer_requested) as blocker:
        qtbot.keyClick(palette.tree, Qt.Key.Key_Return)
    assert blocker.args == ["Flatten"]


def test_parse_shape_accepts_what_students_type():
    assert parse_shape("8") == (8,)
    assert parse_shape("28x28") == (28, 28)
    assert parse_shape("28 × 28") == (28, 28)
    assert parse_shape("3, 32, 32") == (3, 32, 32)
    assert parse_shape("28x") is None
    assert parse_shape("") is None


def test_inspector_hint_and_multiple_selection(qtbot, document):
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    assert "Select a layer" in inspector.message.text()
    ids = add_chain(document, ("Input", {"shape": [4]}), ("Dense", {}), ("Output", {}))
    document.select(ids)
    assert "3 layers selected" in inspector.message.text()


def test_inspector_builds_a_form_from_the_specs(qtbot, document):
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    ids = add_chain(document, ("Input", {"shape": [4]}), ("Dense", {"units": 16}), ("Dropout", {}),
                    ("Output", {"units": 3}))
    document.select([ids[1]])
    units = inspector.editor("units")
    assert isinstance(units, QSpinBox) and units.value() == 16 and units.maximum() == 100_000
    assert isinstance(inspector.editor("activation"), QComboBox)
    assert isinstance(inspector.editor("use_bias"), QCheckBox)
    assert "neurons" in units.toolTip()
    assert inspector.shape_label.text() == "(None, 16)"
    assert inspector.params_label.text() == "80"
    document.select([ids[2]])
    rate = inspector.editor("rate")
    assert isinstance(rate, QDoubleSpinBox) and rate.text() == "0.3" and rate.maximum() < 1.0
    document.select([ids[0]])
    assert isinstance(inspector.editor("shape"), QLineEdit) and inspector.editor("shape").text() == "4"
    document.select([ids[3]])
    assert inspector.editor("metrics").placeholderText() == "automatic"


def test_spin_box_edits_are_immediate_and_one_undo_step(qtbot, document):
    inspector = Inspector(document)
    summary = SummaryPanel(document)
    qtbot.addWidget(inspector)
    qtbot.addWidget(summary)
    ids = add_chain(document, ("Input", {"shape": [4]}), ("Dense", {"units": 16}), ("Output", {"units": 3}))
    document.select([ids[1]])
    units = inspector.editor("units")
    steps_before = document.undo_stack.count()
    for value in (17, 18, 19, 20):  # a spin-box drag
        units.setValue(value)
    assert document.graph.node(ids[1]).params["units"] == 20
    assert document.undo_stack.count() == steps_before + 1
    assert summary.cell_text(1, 3) == "100"  # 4*20 + 20
    # Typing replaces the value digit by digit; it still lands as one step.
    units.selectAll()
    qtbot.keyClicks(units, "300")
    assert document.graph.node(ids[1]).params["units"] == 300
    assert document.undo_stack.count() == steps_before + 1
    assert document.undo_stack.undoText() == "Change units of 'dense'"
    document.undo_stack.undo()
    assert document.graph.node(ids[1]).params["units"] == 16
    assert units.value() == 16  # the form follows the graph
    document.undo_stack.redo()
    assert units.value() == 300
    combo = inspector.editor("activation")
    combo.setCurrentText("tanh")
    assert document.graph.node(ids[1]).params["activation"] == "tanh"


def test_shape_edit_makes_an_error_shown_everywhere(qtbot, document):
    inspector = Inspector(document)
    issues = IssuesPanel(document)
    qtbot.addWidget(inspector)
    qtbot.addWidget(issues)
    ids = add_chain(document, ("Input", {"shape": [4]}), ("Dense", {}), ("Output", {"units": 3}))
    assert issues.messages() == [NO_PROBLEMS]
    document.select([ids[0]])
    shape = inspector.editor("shape")
    shape.selectAll()
    qtbot.keyClicks(shape, "28x28")
    qtbot.keyClick(shape, Qt.Key.Key_Return)
    assert document.graph.node(ids[0]).params["shape"] == (28, 28)
    assert any("expects a flat vector but gets 28×28" in m for m in issues.messages())
    document.select([ids[1]])
    assert "add a Flatten node" in inspector.issues_label.text()
    with qtbot.waitSignal(issues.node_activated) as blocker:
        issues.itemClicked.emit(issues.item(0))
    assert blocker.args == [ids[1]]


def test_rename_in_inspector_and_refused_names(qtbot, document):
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    inspector.show()
    ids = add_chain(document, ("Input", {"shape": [4]}), ("Dense", {}), ("Output", {"units": 3}))
    document.select([ids[1]])
    name = inspector.name_edit
    name.setText("hidden")
    name.editingFinished.emit()
    assert document.graph.node(ids[1]).name == "hidden"
    assert document.undo_stack.undoText() == "Rename 'dense' to 'hidden'"
    for bad, why in (("2nd layer", "starts with a letter"), ("input", "already called")):
        name.setText(bad)
        name.editingFinished.emit()
        assert document.graph.node(ids[1]).name == "hidden"
        problem: QLabel = inspector.name_problem
        assert not problem.isHidden() and why in problem.text()
    document.undo_stack.undo()
    assert name.text() == "dense"


def test_summary_table_counts_like_keras(qtbot, document):
    summary = SummaryPanel(document)
    qtbot.addWidget(summary)
    assert summary.table.objectName() == "summaryTable"
    add_chain(document, ("Input", {"shape": [784]}), ("Dense", {"units": 300}), ("Dense", {"units": 100}),
              ("Output", {"units": 10}))
    rows = [[summary.cell_text(r, c) for c in range(4)] for r in range(summary.table.rowCount())]
    assert rows == [["input", "Input", "(None, 784)", "0"], ["dense", "Dense", "(None, 300)", "235,500"],
                    ["dense_1", "Dense", "(None, 100)", "30,100"], ["output", "Output", "(None, 10)", "1,010"]]
    assert "Total params:</b> 266,610" in summary.totals.text()
    assert "Non-trainable:</b> 0" in summary.totals.text()


def test_scrolling_over_a_spin_box_does_not_change_it(qtbot, document):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    inspector.show()
    ids = add_chain(document, ("Input", {"shape": [4]}), ("Dense", {"units": 16}), ("Output", {"units": 3}))
    document.select([ids[1]])
    units = inspector.editor("units")
    wheel = QWheelEvent(QPointF(5, 5), QPointF(units.mapToGlobal(QPoint(5, 5))), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(units, wheel)
    assert units.value() == 16 and document.graph.node(ids[1]).params["units"] == 16


def test_real_number_settings_use_the_shared_number_box(qtbot, document):
    from nnstudio.gui.widgets.number_box import NumberBox

    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    inspector.show()
    ids = add_chain(document, ("Input", {"shape": [4]}), ("Dropout", {}), ("BatchNormalization", {}),
                    ("Output", {"units": 3}))
    document.select([ids[1]])
    rate = inspector.editor("rate")
    assert isinstance(rate, NumberBox)
    rate.lineEdit().selectAll()
    qtbot.keyClicks(rate, "0,25")  # a decimal comma is read as a point
    assert document.graph.node(ids[1]).params["rate"] == 0.25
    document.select([ids[2]])
    epsilon = inspector.editor("epsilon")
    assert isinstance(epsilon, NumberBox) and epsilon.text() == "0.001"
    epsilon.lineEdit().selectAll()
    qtbot.keyClicks(epsilon, "1e-5")
    assert document.graph.node(ids[2]).params["epsilon"] == pytest.approx(1e-5)


def test_an_out_of_range_setting_says_which_setting_and_why(qtbot, document):
    """A value outside its range is not silently put back: the note under the field names the setting."""
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    inspector.show()
    ids = add_chain(document, ("Input", {"shape": [4]}), ("Dense", {"units": 16}), ("Dropout", {}),
                    ("Output", {"units": 3}))
    document.select([ids[1]])
    units = inspector.editor("units")
    units.setFocus()
    units.lineEdit().selectAll()
    qtbot.keyClicks(units, "0")
    note = units.findChild(QLabel, "rangeNote")
    assert note.isVisible() and note.text() == "Units must be between 1 and 100,000."
    document.select([ids[2]])
    rate = inspector.editor("rate")
    rate.setFocus()
    rate.lineEdit().selectAll()
    qtbot.keyClicks(rate, "5")
    note = rate.findChild(QLabel, "rangeNote")
    assert note.isVisible() and note.text().startswith("Rate must be")
    assert document.graph.node(ids[2]).params["rate"] != 5
