"""The Data panel fits its dock in a 1280×720 window: no sideways scrolling, with no data, a built-in dataset and
MNIST-format files with their long names."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea

from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.panels.data_panel import DataPanel
from tests.core.test_mnist_test_files import write_mnist
from tests.gui.test_data_panel import choose_in_combo, reloaded


def fits(panel: DataPanel) -> tuple[int, int, int]:
    """The width the panel's contents need, the width its dock gives them, and how far it scrolls sideways."""
    QApplication.processEvents()
    scroll = panel.findChild(QScrollArea)
    return scroll.widget().minimumSizeHint().width(), scroll.viewport().width(), scroll.horizontalScrollBar().maximum()


def test_the_data_panel_fits_its_dock_in_a_1280_by_720_window(qtbot, tmp_path):
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    dock = window.parts.docks["data"]
    dock.show()
    dock.raise_()   # as the student does with the Data tab
    qtbot.waitUntil(lambda: window.findChild(DataPanel) is not None, timeout=10_000)
    panel = window.findChild(DataPanel)
    try:
        qtbot.waitUntil(lambda: panel.isVisible() and panel.width() > 0)
        needed, given, sideways = fits(panel)
        assert needed <= given and sideways == 0, (needed, given)

        with reloaded(qtbot, window.session):
            choose_in_combo(qtbot, panel, "iris")
        needed, given, sideways = fits(panel)
        assert needed <= given and sideways == 0, (needed, given)

        paths = write_mnist(tmp_path, train=30, test=10, zipped=True)
        panel.ask_idx_source = lambda: {"kind": "idx", **{role: str(path) for role, path in paths.items()},
                                        "test_from_files": True}
        with reloaded(qtbot, window.session):
            assert panel.import_idx()
        needed, given, sideways = fits(panel)
        assert needed <= given and sideways == 0, (needed, given)
    finally:
        window.session.shutdown()
