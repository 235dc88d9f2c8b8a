"""The same weight has the same colour in the neuron view and the Weights panel, and both legends say so."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget
from teaching_window import open_teaching_window
from test_teaching_neurons import type_into


def family(colour: QColor) -> str:
    """'blue' or 'red': which end of the diverging map a colour sits at."""
    return "blue" if colour.blue() > colour.red() else "red"


def legend(text: str) -> str:
    """The sentences of a title that say what the colours mean."""
    return " ".join(s for s in re.split(r"(?<=\.)\s+", text) if re.search(r"\b(blue|red)\b", s.lower()))


def test_a_weight_is_the_same_colour_in_the_neuron_view_and_the_weights_panel(qtbot):
    window = open_teaching_window(qtbot, "xor_single_layer")
    try:
        window.teaching.actions["neurons"].trigger()  # Teach → Open the neuron view
        window.weights_dock.show()
        window.weights_dock.raise_()
        qtbot.waitUntil(lambda: window.findChild(QWidget, "weightsPanel") is not None, timeout=5000)
        panel = window.findChild(QWidget, "weightsPanel")
        view = window.teaching.neuron_view
        window.document.select([window.document.graph.node_by_name("xor").id])
        # The student types one positive and one negative weight into the neuron view's table.
        type_into(view.table, 0, 0, "0.8")
        type_into(view.table, 0, 1, "−0.6")
        qtbot.waitUntil(lambda: panel.shown_weight is not None and panel.shown_weight[0, 1] < 0, timeout=3000)
        heatmap = panel.heatmap.item.pixmap().toImage()
        for source, expected in ((0, "blue"), (1, "red")):
            line_colour = view.line(0, source).pen().color()
            heatmap_colour = heatmap.pixelColor(source, 0)   # row: the neuron, column: its input
            assert family(line_colour) == family(heatmap_colour) == expected, (source, line_colour, heatmap_colour)
        view_legend = legend(view.title_label.text())
        panel_legend = legend(panel.findChild(QLabel, "weightsTitle").text())
        assert view_legend and view_legend == panel_legend
        assert "positive" in view_legend.lower().split("red")[0]   # blue is named for positive, before red
    finally:
        window.session.shutdown()
