"""The new LayerNormalization layer reaches the window with no GUI code: palette, inspector, summary, saving."""

from __future__ import annotations

from canvas_driving import double_click_palette
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox

from nnstudio.core.layers import layer_spec
from nnstudio.gui.main_window import MainWindow


def make_window(qtbot, tmp_path) -> MainWindow:
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: None
    window.file_actions.show_error = lambda title, text: pytest_fail(text)
    window.file_actions.ask_save_path = lambda: tmp_path / "normalised.nnstudio"
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def pytest_fail(text: str) -> None:
    raise AssertionError(f"the window showed an error: {text}")


def test_the_palette_offers_it_with_its_help(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    palette = window.palette_panel
    qtbot.keyClicks(palette.search, "normal")
    assert palette.visible_layer_types() == ["BatchNormalization", "LayerNormalization"]
    item = palette.item_for("LayerNormalization")
    assert layer_spec("LayerNormalization").help in item.toolTip(0)
    assert not item.icon(0).isNull()


def test_built_edited_undone_saved_and_opened_from_the_window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    for type_name in ("Input", "Dense", "LayerNormalization", "Output"):
        double_click_palette(qtbot, window, type_name)
    graph = window.document.graph
    assert [n.type for n in graph.nodes.values()] == ["Input", "Dense", "LayerNormalization", "Output"]
    assert len(graph.edges) == 3
    norm = list(graph.nodes)[2]
    window.document.select([norm])
    epsilon, center = window.inspector.editor("epsilon"), window.inspector.editor("center")
    assert isinstance(epsilon, QDoubleSpinBox) and epsilon.text() == "0.001"
    assert isinstance(center, QCheckBox) and center.isChecked()
    assert "shift" in center.toolTip()
    assert window.inspector.shape_label.text() == "(None, 32)"
    assert window.summary.cell_text(2, 3) == "64"  # Keras: γ and β for each of the Dense layer's 32 values
    center.click()  # what a mouse click on the box does (the box may sit below the dock's visible part)
    assert graph.node(norm).params["center"] is False
    assert window.summary.cell_text(2, 3) == "32"
    window.document.undo_stack.undo()
    assert graph.node(norm).params["center"] is True and center.isChecked()
    window.file_actions.save_action.trigger()
    assert (tmp_path / "normalised.nnstudio").is_file()
    other = make_window(qtbot, tmp_path)
    assert other.file_actions.open_path(tmp_path / "normalised.nnstudio")
    assert other.document.graph.to_dict() == graph.to_dict()
    assert other.summary.cell_text(2, 3) == "64"
