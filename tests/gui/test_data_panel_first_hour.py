"""The Data panel things a student tripped over in their first hour, driven with clicks, wheel turns and typing."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QListWidget, QScrollArea

from nnstudio.core.examples import digits, iris
from nnstudio.gui.editing.commands import RemoveItems
from tests.gui.test_data_panel import choose_in_combo, make_panel, reloaded


def write_idx(folder, count: int = 20):
    """A tiny MNIST-format pair: `count` 4×4 images with pixels 0..255 and their labels 0..9."""
    rng = np.random.default_rng(0)
    images, labels = folder / "train-images-idx3-ubyte", folder / "train-labels-idx1-ubyte"
    images.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">III", count, 4, 4)
                       + rng.integers(0, 256, size=count * 16, dtype=np.uint8).tobytes())
    labels.write_bytes(b"\x00\x00\x08\x01" + struct.pack(">I", count) + (np.arange(count) % 10).astype(np.uint8).tobytes())
    return images, labels


def test_built_in_digits_after_an_idx_import_get_their_own_scaling_and_say_so(qtbot, tmp_path, monkeypatch):
    panel, document, session = make_panel(qtbot, iris())
    images, labels = write_idx(tmp_path)
    monkeypatch.setattr(panel, "ask_idx_source", lambda: {"kind": "idx", "images": str(images), "labels": str(labels)})
    with reloaded(qtbot, session):
        assert panel.import_idx() is True
    assert document.project.data.scaling == "pixels"
    note = panel.findChild(QLabel, "scalingNote")
    assert note.isVisible() and note.text() == "Scaling set to pixels ÷ 255 for this dataset (it was standardise)."

    steps = document.undo_stack.count()
    with reloaded(qtbot, session):
        choose_in_combo(qtbot, panel, "digits")
    assert document.project.data.scaling == "standardize"
    assert panel.findChild(QComboBox, "scaling").currentData() == "standardize"
    assert note.isVisible() and note.text() == "Scaling set to standardise for this dataset (it was pixels ÷ 255)."

    assert document.undo_stack.count() == steps + 1  # choosing a dataset stays one undo step
    with reloaded(qtbot, session):
        document.undo_stack.undo()
    assert document.project.data.source["kind"] == "idx" and document.project.data.scaling == "pixels"
    assert not note.isVisible()  # the note spoke of the change just undone


def ticked(view: QListWidget) -> list[str]:
    return [view.item(i).text() for i in range(view.count()) if view.item(i).checkState() == Qt.CheckState.Checked]


def test_before_an_output_exists_the_target_column_is_never_an_input_feature(qtbot):
    panel, document, session = make_panel(qtbot, iris())
    input_id = next(n.id for n in document.graph.nodes.values() if n.type == "Input")
    output_id = next(n.id for n in document.graph.nodes.values() if n.type == "Output")
    document.push(RemoveItems(document.graph, [output_id]))  # the student has not drawn the Output yet
    columns = panel.findChild(QListWidget, f"columns_{input_id}")
    qtbot.waitUntil(lambda: columns is not None and columns.count() == 5)
    species = columns.findItems("species", Qt.MatchFlag.MatchExactly)[0]
    assert "species" not in ticked(columns) and len(ticked(columns)) == 4

    qtbot.mouseClick(panel.findChild(QCheckBox, f"automatic_columns_{input_id}"), Qt.MouseButton.LeftButton)
    columns = panel.findChild(QListWidget, f"columns_{input_id}")
    species = columns.findItems("species", Qt.MatchFlag.MatchExactly)[0]
    assert "species" not in ticked(columns)
    assert not species.flags() & Qt.ItemFlag.ItemIsEnabled  # it cannot be ticked by hand either
    assert list(document.graph.nodes[input_id].params["columns"]) == ["sepal_length", "sepal_width", "petal_length",
                                                                "petal_width"]


def wheel(widget, notches: int) -> None:
    """Turn the mouse wheel over the middle of `widget` (negative: towards the student, scrolling down)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(widget.rect().center())), QPoint(),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_data_panel_instead_of_changing_the_split_under_the_pointer(qtbot):
    panel, document, session = make_panel(qtbot, iris())
    panel.resize(500, 300)  # shorter than its contents: the panel scrolls
    scroll_bar = panel.findChild(QScrollArea).verticalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.maximum() > 0)
    validation = panel.findChild(QDoubleSpinBox, "validationFraction")
    before = document.project.data.validation_fraction
    position = scroll_bar.value()
    wheel(validation, -1)
    assert validation.value() == pytest.approx(before) and document.project.data.validation_fraction == before
    assert scroll_bar.value() > position  # the turn went to the panel
    scaling = panel.findChild(QComboBox, "scaling")
    wheel(scaling, -1)
    assert document.project.data.scaling == "standardize"

    qtbot.mouseClick(validation, Qt.MouseButton.LeftButton)  # clicked into: now the wheel is the student's
    qtbot.waitUntil(validation.hasFocus)
    wheel(validation, 1)
    assert document.project.data.validation_fraction == pytest.approx(before + 0.05)


def test_ticking_a_column_keeps_the_list_where_the_student_scrolled_it(qtbot):
    panel, document, session = make_panel(qtbot, digits())
    input_id = next(n.id for n in document.graph.nodes.values() if n.type == "Input")
    with reloaded(qtbot, session):
        qtbot.mouseClick(panel.findChild(QCheckBox, f"automatic_columns_{input_id}"), Qt.MouseButton.LeftButton)
    columns = panel.findChild(QListWidget, f"columns_{input_id}")
    bar = columns.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    columns.scrollToBottom()
    bottom = bar.value()
    assert bottom > 0
    item = columns.item(columns.count() - 2)  # the last is the target, which no Input may take
    rect, name = columns.visualItemRect(item), item.text()
    with reloaded(qtbot, session):  # click the tick box at the left of the last pixel's row
        qtbot.mouseClick(columns.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))
    columns = panel.findChild(QListWidget, f"columns_{input_id}")
    assert name not in list(document.graph.nodes[input_id].params["columns"])
    assert columns.verticalScrollBar().value() == bottom
