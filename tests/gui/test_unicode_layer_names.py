"""A layer named in Korean, typed into the inspector as a student does, is accepted and exported as running code."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "engine"))   # the export tests' helpers: run a script, predict
from export_helpers import predict, run_python  # noqa: E402
from test_export_code import PREDICT  # noqa: E402

from nnstudio.core.examples import build_example  # noqa: E402
from nnstudio.gui.main_window import MainWindow  # noqa: E402


def test_a_korean_layer_name_is_accepted_and_the_exported_code_runs(qtbot, tmp_path):
    from nnstudio.engine.export import export_model  # noqa: PLC0415 - torch only when the test runs

    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.document.replace_project(build_example("xor"))
    window.session.reload_data()
    window.show()
    qtbot.waitExposed(window)
    try:
        graph = window.document.graph
        hidden = graph.node_by_name("hidden").id
        window.document.select([hidden])
        window.inspector_dock.raise_()
        name = window.inspector.findChild(QLineEdit, "inspectorName")
        qtbot.mouseClick(name, Qt.MouseButton.LeftButton)
        name.selectAll()
        name.insert("은닉층")   # QTest types ASCII keys only: an input method delivers Hangul like this
        qtbot.keyClick(name, Qt.Key.Key_Return)
        assert graph.node(hidden).name == "은닉층"
        problem = [label for label in window.inspector.findChildren(QLabel) if "Cannot rename" in label.text()]
        assert all(label.isHidden() for label in problem)

        # Export the Python code (what File → Export… → Python code writes) and run it next to its files.
        project = window.document.project
        model = window.session.current_model()
        folder = tmp_path / "code"
        export_model(model, "python", folder, trained=False, project=project)
        source = (folder / "model.py").read_text(encoding="utf-8")
        assert "self.은닉층 = nn.Linear(" in source and "class XOR" in source
        rows = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        inputs_id = graph.node_by_name("inputs").id
        scaled = window.session.data.prepared.scale_inputs({inputs_id: rows})[inputs_id]
        np.savez(folder / "inputs.npz", np.ascontiguousarray(scaled, dtype=np.float32))
        done = run_python(PREDICT.format(cls="XOR"), folder)
        assert done.returncode == 0, done.stderr
        model.eval()
        expected = predict(model, [np.ascontiguousarray(scaled, dtype=np.float32)])[0]
        assert np.abs(np.load(folder / "outputs.npz")["arr_0"] - expected).max() <= 1e-6
        trained = run_python("", folder, args=("train.py", "--epochs", "1"))
        assert trained.returncode == 0, trained.stderr
    finally:
        window.session.shutdown()
