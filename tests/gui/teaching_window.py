"""Opens the main window with teaching mode installed on an example, as the teaching tests need it."""

from PySide6.QtWidgets import QMessageBox

from nnstudio.core.examples import build_example
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.teaching.install import install_teaching


def open_teaching_window(qtbot, example: str = "xor") -> MainWindow:
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    install_teaching(window)
    window.document.replace_project(build_example(example))
    window.session.reload_data()
    window.show()
    qtbot.waitExposed(window)
    return window
