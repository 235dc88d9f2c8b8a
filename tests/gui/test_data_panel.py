"""The Data panel driven as a student would: pick a dataset, import files (bad and good), bind, split, undo."""

from __future__ import annotations

import copy
from typing import Optional

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QListWidget, QTableView

from nnstudio.core.examples import iris, xor
from nnstudio.core.project import Project
from nnstudio.gui.editing.document import Document
from nnstudio.gui.panels.data_panel import DataPanel
from nnstudio.gui.training.session import TrainingSession


def reloaded(qtbot, session: TrainingSession):
    """Wait for the session to reload the data after an edit (it does so on a short timer)."""
    return qtbot.waitSignal(session.data_changed, timeout=5000)


def make_panel(qtbot, project: Optional[Project] = None) -> tuple[DataPanel, Document, TrainingSession]:
    document = Document(project or Project())
    session = TrainingSession(document)
    session.reload_data()
    panel = DataPanel(document, session)
    qtbot.addWidget(panel)
    panel.resize(500, 900)
    panel.show()
    return panel, document, session


def choose_in_combo(qtbot, panel: DataPanel, name: str) -> None:
    """Pick a built-in dataset in the list the way a user does (the combo's `activated` signal)."""
    combo = panel.findChild(QComboBox, "datasetCombo")
    index = combo.findData(name)
    assert index > 0, name
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def headers(view: QTableView) -> list[str]:
    model = view.model()
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def project_state(document: Document) -> tuple[dict, dict]:
    return copy.deepcopy(document.graph.to_dict()), document.project.data.to_dict()


def test_choose_builtin_shows_preview_types_and_class_counts(qtbot):
    panel, document, session = make_panel(qtbot, iris())
    document.project.data.source = None
    session.reload_data()
    assert "no data" in panel.findChild(QLabel, "dataSource").text().lower()
    with reloaded(qtbot, session):
        choose_in_combo(qtbot, panel, "iris")
    assert document.project.data.source == {"kind": "builtin", "name": "iris"}
    assert session.data is not None and document.undo_stack.count() == 1
    preview = panel.findChild(QTableView, "dataPreview")
    assert preview.model().rowCount() == 50
    names = headers(preview)
    assert names[0] == "sepal_length\nnumber"
    assert names[-1] == "species\ncategory (3 classes)"
    assert preview.model().index(0, 4).data() == "setosa"
    counts = panel.findChild(QLabel, "classCounts").text()
    assert "setosa 50 · versicolor 50 · virginica 50" in counts
    # With one Input and one Output the binding is automatic, and the panel says so.
    assert "Automatic" in panel.findChild(QLabel, "bindingNote").text()
    assert not panel.findChild(QLabel, "dataError").isVisible()
    with reloaded(qtbot, session):
        document.undo_stack.undo()
    assert document.project.data.source is None
    assert panel.findChild(QComboBox, "datasetCombo").currentIndex() == 0


def test_bad_csv_shows_the_loader_message_and_leaves_the_project_unchanged(qtbot, tmp_path, monkeypatch):
    panel, document, session = make_panel(qtbot, iris())
    before = project_state(document)
    bad = tmp_path / "flowers.csv"
    bad.write_text("width,height,kind\n1.0,2.0,a\n1.5,abc,b\n2.0,3.0,a\n", encoding="utf-8")
    monkeypatch.setattr(panel, "ask_open_path", lambda title, file_filter: str(bad))
    qtbot.mouseClick(panel.import_csv_button, Qt.MouseButton.LeftButton)
    error = panel.findChild(QLabel, "dataError")
    assert error.isVisible()
    assert "flowers.csv" in error.text() and "abc" in error.text()
    assert project_state(document) == before
    assert document.undo_stack.count() == 0
    # The preview still shows the project's own data.
    assert headers(panel.findChild(QTableView, "dataPreview"))[-1].startswith("species")


def test_good_csv_becomes_the_data_with_its_columns(qtbot, tmp_path, monkeypatch):
    panel, document, session = make_panel(qtbot, xor())
    good = tmp_path / "weather.csv"
    rows = ["temperature,humidity,rain"] + [f"{20 + i % 7},{40 + (i * 3) % 50},{'yes' if i % 3 else 'no'}"
                                            for i in range(30)]
    good.write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(panel, "ask_open_path", lambda title, file_filter: str(good))
    with reloaded(qtbot, session):
        qtbot.mouseClick(panel.import_csv_button, Qt.MouseButton.LeftButton)
    # The text column's categories are saved with the source, so reopening reads the same classes.
    assert document.project.data.source == {"kind": "csv", "path": str(good.resolve()),
                                            "categories": {"rain": ["no", "yes"]}}
    assert headers(panel.findChild(QTableView, "dataPreview")) == [
        "temperature\nnumber", "humidity\nnumber", "rain\ncategory (2 classes)"]
    assert "weather.csv" in panel.findChild(QLabel, "dataSource").text()
    # The last column is the usual target: with one Input and one Output it is bound automatically.
    assert "rain" in panel.findChild(QLabel, "bindingNote").text()
    assert "no 10 · yes 20" in panel.findChild(QLabel, "classCounts").text()
    assert session.data is not None and not panel.findChild(QLabel, "dataError").isVisible()
    output_id = next(n.id for n in document.graph.nodes.values() if n.type == "Output")
    with reloaded(qtbot, session):
        panel.findChild(QCheckBox, f"automatic_targets_{output_id}").setChecked(False)
    assert document.graph.node(output_id).params["targets"] == ("rain",)
    # A yes/no Output with two targets cannot work: the session's message shows in the panel.
    with reloaded(qtbot, session):
        panel.findChild(QListWidget, f"targets_{output_id}").item(1).setCheckState(Qt.CheckState.Checked)
    assert document.graph.node(output_id).params["targets"] == ("humidity", "rain")
    assert session.data is None
    assert "exactly one target column" in panel.findChild(QLabel, "dataError").text()
    assert panel.findChild(QLabel, "dataError").isVisible()
    # The columns are still there to fix it.
    with reloaded(qtbot, session):
        panel.findChild(QListWidget, f"targets_{output_id}").item(1).setCheckState(Qt.CheckState.Unchecked)
    assert session.data is not None and not panel.findChild(QLabel, "dataError").isVisible()


def test_bad_idx_and_npz_files_show_messages(qtbot, tmp_path, monkeypatch):
    panel, document, session = make_panel(qtbot, iris())
    before = project_state(document)
    junk = tmp_path / "images.idx"
    junk.write_bytes(b"\x00\x00\x08\x03garbage")
    monkeypatch.setattr(panel, "ask_idx_source", lambda: {"kind": "idx", "images": str(junk)})
    assert panel.import_idx() is False
    assert panel.error_text() and project_state(document) == before
    npz = tmp_path / "arrays.npz"
    npz.write_bytes(b"not a zip file at all")
    monkeypatch.setattr(panel, "ask_open_path", lambda title, file_filter: str(npz))
    assert panel.import_npz() is False
    assert "arrays.npz" in panel.error_text() and project_state(document) == before


def test_good_npz_import(qtbot, tmp_path, monkeypatch):
    panel, document, session = make_panel(qtbot, iris())
    path = tmp_path / "points.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x=rng.normal(size=(40, 3)).astype(np.float32), y=np.arange(40) % 2)
    monkeypatch.setattr(panel, "ask_open_path", lambda title, file_filter: str(path))
    with reloaded(qtbot, session):
        assert panel.import_npz() is True
    assert document.project.data.source["kind"] == "npz"
    assert panel.findChild(QTableView, "dataPreview").model().columnCount() == 4


def test_binding_changes_are_undoable_set_params(qtbot):
    panel, document, session = make_panel(qtbot, iris())
    input_id = next(n.id for n in document.graph.nodes.values() if n.type == "Input")
    automatic = panel.findChild(QCheckBox, f"automatic_columns_{input_id}")
    assert automatic.isChecked()
    with reloaded(qtbot, session):
        automatic.setChecked(False)  # start from what automatic chose: all four measurements
    assert document.graph.node(input_id).params["columns"] == (
        "sepal_length", "sepal_width", "petal_length", "petal_width")
    columns = panel.findChild(QListWidget, f"columns_{input_id}")
    # The target column cannot be ticked as a feature: a network must not see the answer.
    assert not columns.item(4).flags() & Qt.ItemFlag.ItemIsEnabled
    with reloaded(qtbot, session):
        columns.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert document.graph.node(input_id).params["columns"] == ("sepal_width", "petal_length", "petal_width")
    # 3 columns for a 4-wide Input: the analysis shows it on the node once the data context is set.
    assert any(issue.node_id == input_id and "3" in issue.message for issue in document.analysis.errors)
    with reloaded(qtbot, session):
        qtbot.mouseClick(panel.size_input_button, Qt.MouseButton.LeftButton)
    assert document.graph.node(input_id).params["shape"] == (3,)
    assert not document.analysis.errors
    stack = document.undo_stack
    assert stack.undoText() == "Change shape of 'measurements'"
    stack.undo()
    with reloaded(qtbot, session):
        stack.undo()
    assert document.graph.node(input_id).params["columns"] == (
        "sepal_length", "sepal_width", "petal_length", "petal_width")
    with reloaded(qtbot, session):
        stack.undo()
    assert document.graph.node(input_id).params["columns"] == ()
    assert panel.findChild(QCheckBox, f"automatic_columns_{input_id}").isChecked()


def test_size_input_uses_the_image_shape_for_digits(qtbot):
    panel, document, session = make_panel(qtbot, iris())
    with reloaded(qtbot, session):
        choose_in_combo(qtbot, panel, "digits")
    input_id = next(n.id for n in document.graph.nodes.values() if n.type == "Input")
    qtbot.mouseClick(panel.size_input_button, Qt.MouseButton.LeftButton)
    assert document.graph.node(input_id).params["shape"] == (8, 8)


def test_split_settings_and_scaling_are_undoable(qtbot):
    panel, document, session = make_panel(qtbot, iris())
    validation = panel.findChild(QDoubleSpinBox, "validationFraction")
    test = panel.findChild(QDoubleSpinBox, "testFraction")
    assert validation.value() == pytest.approx(0.2)
    with reloaded(qtbot, session):
        test.setValue(0.3)
    assert document.project.data.test_fraction == pytest.approx(0.3)
    assert len(session.data.prepared.test) == 45
    scaling = panel.findChild(QComboBox, "scaling")
    scaling.setCurrentIndex(scaling.findData("none"))
    assert document.project.data.scaling == "none"
    assert panel.findChild(QLabel, "scalingDescription").text() == "Use the values as they are"
    panel.findChild(QCheckBox, "stratify").setChecked(False)
    assert document.project.data.stratify is False
    # Too little left for training: refused with the settings' own message, nothing pushed.
    count = document.undo_stack.count()
    validation.setValue(0.7)
    assert document.undo_stack.count() == count
    assert "at least 5%" in panel.findChild(QLabel, "dataSettingsError").text()
    assert validation.value() == pytest.approx(0.2)
    with reloaded(qtbot, session):
        for _ in range(3):
            document.undo_stack.undo()
    assert document.project.data.test_fraction == pytest.approx(0.2)
    assert document.project.data.scaling == "standardize" and document.project.data.stratify
    assert test.value() == pytest.approx(0.2) and scaling.currentData() == "standardize"
    assert len(session.data.prepared.test) == 30


def test_switching_datasets_resets_bindings_the_new_data_lacks(qtbot):
    panel, document, session = make_panel(qtbot, iris())
    input_id = next(n.id for n in document.graph.nodes.values() if n.type == "Input")
    with reloaded(qtbot, session):
        panel.set_binding(input_id, "columns", ["petal_length", "petal_width"])
    with reloaded(qtbot, session):
        choose_in_combo(qtbot, panel, "wine")
    assert document.graph.node(input_id).params["columns"] == ()
    assert document.project.data.source["name"] == "wine"
    with reloaded(qtbot, session):
        document.undo_stack.undo()  # one step: the data and the reset binding come back together
    assert document.graph.node(input_id).params["columns"] == ("petal_length", "petal_width")
    assert document.project.data.source["name"] == "iris"


def test_edits_refused_while_training(qtbot):
    panel, document, session = make_panel(qtbot, iris())
    refused = []
    document.edit_refused.connect(refused.append)
    document.lock_edits("Training is running")
    choose_in_combo(qtbot, panel, "wine")
    assert document.project.data.source["name"] == "iris" and refused
    assert panel.findChild(QComboBox, "datasetCombo").currentData() == "iris"
    panel.findChild(QDoubleSpinBox, "testFraction").setValue(0.4)
    assert document.project.data.test_fraction == pytest.approx(0.2)
    document.lock_edits(None)


def test_a_node_that_cannot_be_bound_leaves_the_others_ticked(qtbot):
    from nnstudio.gui.editing.commands import SetParam

    panel, document, session = make_panel(qtbot, iris())
    input_id = next(n.id for n in document.graph.nodes.values() if n.type == "Input")
    output_id = next(n.id for n in document.graph.nodes.values() if n.type == "Output")
    with reloaded(qtbot, session):  # a column the data does not have (an edited or older project file)
        document.push(SetParam(document.graph, input_id, "columns", ("sepal_length", "petal_colour")))
    assert "petal_colour" in panel.binding_note.text()
    targets = panel.findChild(QListWidget, f"targets_{output_id}")
    ticked = [targets.item(i).text() for i in range(targets.count())
              if targets.item(i).checkState() == Qt.CheckState.Checked]
    assert ticked == ["species"]   # the Output still shows what it learns to predict
