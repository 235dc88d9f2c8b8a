"""The teaching views say what is true: the truth table's scaling warning, and hand-typed weights never 'trained'."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QLabel, QWidget
from teaching_window import open_teaching_window
from test_teaching_neurons import gate_project, type_into

from nnstudio.gui.editing.commands import SetProjectSettings


def test_the_scaling_warning_says_the_table_uses_the_plain_rows_and_training_the_scaled_ones(qtbot):
    window = open_teaching_window(qtbot)
    try:
        gate_project(window, "and")
        document = window.document
        document.push(SetProjectSettings(document, "data", dataclasses.replace(document.project.data,
                                                                               scaling="standardize"), "scale"))
        window.session.reload_data()
        table = window.teaching.truth_table
        # What the table really does: the plain 0/1 rows go into the weights.
        rows = [(table.cell(r, "x1"), table.cell(r, "x2")) for r in range(4)]
        assert rows == [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")]
        title = table.title_label.text()
        assert "this table puts the plain 0/1 rows into your weights" in title
        assert "training sees the inputs scaled ('Standardise')" in title  # the Data panel's word
        assert "not what your weights multiply" not in title
    finally:
        window.session.shutdown()


def test_weights_typed_by_hand_are_called_set_by_hand_not_trained(qtbot):
    window = open_teaching_window(qtbot, "xor_single_layer")
    try:
        window.teaching.actions["neurons"].trigger()  # Teach → Open the neuron view
        window.weights_dock.show()
        window.weights_dock.raise_()
        qtbot.waitUntil(lambda: window.findChild(QWidget, "weightsPanel") is not None, timeout=5000)
        panel_title = window.findChild(QWidget, "weightsPanel").findChild(QLabel, "weightsTitle")
        view = window.teaching.neuron_view
        window.document.select([window.document.graph.node_by_name("xor").id])
        assert "(starting weights, before training)" in panel_title.text()
        assert "(starting weights, before training)" in view.title_label.text()
        type_into(view.table, 0, 0, "0.5")   # the AND gate's weights, typed as the student did
        qtbot.waitUntil(lambda: "(set by hand)" in panel_title.text(), timeout=3000)
        assert "(set by hand)" in view.title_label.text()
        for text in (panel_title.text(), view.title_label.text()):
            assert "trained" not in text, text
    finally:
        window.session.shutdown()
