"""The Data panel things a student tripped over in their first hour, driven with clicks, wheel turns and typing."""

from __future__ import annotations

import struct

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QListWidget

from nnstudio.core.examples import iris
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
    answers = iter([str(images), str(labels)])
    monkeypatch.setattr(panel, "ask_open_path", lambda title, file_filter: next(answers))
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
