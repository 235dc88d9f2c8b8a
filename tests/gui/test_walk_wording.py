"""Words a student read in the walk-through: one name for a scaling, the export's format by name, the status bar's
problem named, and no made-up classes before data is chosen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

from nnstudio.gui.editing.commands import AddNode, RemoveItems
from nnstudio.gui.sharing import install_sharing
from tests.gui.teaching_window import open_teaching_window
from tests.gui.test_loss_labels_words import select_output
from tests.gui.test_sharing_export import export_from_dialog


def test_the_neurons_text_names_the_scaling_as_the_data_panel_does(qtbot):
    window = open_teaching_window(qtbot, "xor")
    scaling = window.data_view.ensure_built().findChild(QComboBox, "scaling")
    scaling.setCurrentIndex(scaling.findData("standardize"))  # Data panel → Scaling: Standardise
    assert window.document.project.data.scaling == "standardize"
    window.session.reload_data()
    window.teaching.actions["neurons"].trigger()
    view = window.teaching.neuron_view
    window.document.select([window.document.graph.node_by_name("hidden").id])
    qtbot.mouseClick(view.diagram.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.diagram.mapFromScene(view.neurons[1].center))
    assert f"after '{scaling.currentText()}' scaling" in view.sum_label.text()
    assert scaling.currentText() == "Standardise" and "standardize" not in view.sum_label.text()
    window.session.shutdown()


def test_the_status_bar_names_the_first_problem(qtbot):
    window = open_teaching_window(qtbot, "xor")
    graph = window.document.graph
    output = graph.node_by_name("xor") or next(n for n in graph.nodes.values() if n.type == "Output")
    wire = next(edge.id for edge in graph.edges.values() if edge.target == output.id)
    window.document.push(RemoveItems(graph, [], [wire]))  # the student deleted the wire into the Output
    qtbot.mouseClick(window.training_panel.train_button, Qt.MouseButton.LeftButton)
    shown = window.statusBar().currentMessage()
    assert shown.startswith("The network has problems to fix first: ") and not shown.endswith(":")
    first_problem = window.training_panel.status_label.text().splitlines()[1].lstrip("• ")
    assert shown.endswith(first_problem)
    window.session.shutdown()


def test_the_labels_note_says_there_is_no_data_yet_instead_of_inventing_classes(qtbot):
    window = open_teaching_window(qtbot, "xor")
    window.file_actions.new_action.trigger()  # File → New: no data chosen
    assert window.document.push(AddNode(window.document.graph, "Output", (300.0, 300.0), name="answer"))
    select_output(qtbot, window)
    note = window.inspector.findChild(QLabel, "lossLabelsNote")
    assert note.isVisible()
    assert "There is no data yet" in note.text() and "0 to" not in note.text()
    window.session.shutdown()


def test_the_python_export_message_names_the_format(qtbot, tmp_path):
    window = open_teaching_window(qtbot, "xor")
    install_sharing(window)
    dialog = export_from_dialog(qtbot, window, "python", tmp_path / "xor_code")  # File → Export…, Python code
    assert not dialog.errors
    text = dialog.message_label.text()
    assert " as Python code (model.py, train.py) to " in text and " as python " not in text
    window.session.shutdown()
