"""File → Export…: choose a format and a place, export the network, and read what was written."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from ...core.i18n import N_, tr
from ..widgets.file_dialogs import EXPORTS, ask_save_file, remember_folder, remembered_folder
from ..widgets.wrap_text import wrappable
from .bundle_actions import BundleActions, ShareError, sentence

log = logging.getLogger(__name__)

# The engine's formats (nnstudio.engine.export.FORMATS), repeated here so opening the dialog needs no torch.
FORMAT_CHOICES: list[tuple[str, str]] = [
    ("safetensors", N_("Weights only (.safetensors) — to load into PyTorch code")),
    ("torchscript", N_("TorchScript (.pt) — runs with torch.jit.load, no NN Studio needed")),
    ("onnx", N_("ONNX (.onnx) — for onnxruntime and other runtimes")),
    ("python", N_("Python code (a folder: model.py, train.py and the weights)")),
]
# The name of each format in the file dialog's filter.
FILTER_NAMES = {"safetensors": N_("Weights only (.safetensors)"), "torchscript": "TorchScript (.pt)",
                "onnx": "ONNX (.onnx)", "python": N_("Python code")}
ORDER_NOTE = N_("Every export takes the inputs in the order of the Input layers and gives the outputs in the "
                "order of the Output layers.")
EXTENSIONS = {"safetensors": ".safetensors", "torchscript": ".pt", "onnx": ".onnx", "python": ""}


class ExportDialog(QDialog):
    exported = Signal(str)  # the format just exported (lessons listen for it)
    """Pick a format and a destination, press Export; the engine's message (or the problem) is shown below."""

    def __init__(self, actions: BundleActions, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(tr("Export the network"))
        self.actions = actions
        self.document = actions.document
        self._prepared_for: Optional[str] = None

        self.format_combo = QComboBox()
        self.format_combo.setObjectName("exportFormatCombo")
        for key, text in FORMAT_CHOICES:
            self.format_combo.addItem(tr(text), key)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("exportPathEdit")
        self.path_edit.setPlaceholderText(tr("Where to write it"))
        self.browse_button = QPushButton(tr("Choose…"))
        self.browse_button.setObjectName("exportBrowseButton")
        place = QHBoxLayout()
        place.addWidget(self.path_edit, 1)
        place.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow(tr("Format:"), self.format_combo)
        form.addRow(tr("Save to:"), place)

        self.message_label = QLabel(tr(ORDER_NOTE))
        self.message_label.setObjectName("exportMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setMinimumWidth(460)
        # Long choices (the formats) and the form's labels are never cut short: they take the room they need.
        self.format_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton(tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)

        self.browse_button.clicked.connect(self.browse)
        # Accept would close the dialog: the student should read the message, and may export another format.
        self.export_button.clicked.connect(self.export)
        close.clicked.connect(self.reject)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.prepare()

    # ------------------------------------------------------------ prompts (tests replace these)
    def ask_destination(self, fmt: str) -> Optional[Path]:
        """The file dialog (through file_dialogs: it starts in the folder of the last export)."""
        suggested = self.default_path(fmt)
        if fmt == "python":
            # A new folder for the code: a save dialog lets the student name it.
            return ask_save_file(self, tr("Folder for the Python code"), suggested.name, tr("Folder (*)"), EXPORTS,
                                 near=suggested.parent)
        return ask_save_file(self, tr("Export the network"), suggested.name,
                             f"{tr(FILTER_NAMES[fmt])} (*{EXTENSIONS[fmt]})", EXPORTS, near=suggested.parent)

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    # ------------------------------------------------------------ state
    def current_format(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def prepare(self) -> None:
        """Before each showing: a place named after the project now open (if another was open before)."""
        name = self.actions.file_actions.display_name()
        if name != self._prepared_for:
            self._prepared_for = name
            self.path_edit.clear()
            self._format_changed()
            self.show_message(tr(ORDER_NOTE))

    def show_message(self, text: str) -> None:
        """Show a message below the form; the dialog grows to show all of it."""
        self.message_label.setText(wrappable(text))
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else self.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def default_path(self, fmt: str) -> Path:
        """Named after the project, in the folder of the last export, else beside the project, else at home."""
        folder = remembered_folder(EXPORTS) or (self.document.path.parent if self.document.path else Path.home())
        stem = Path(self.actions.file_actions.display_name()).stem or "network"
        return folder / (f"{stem}_pytorch" if fmt == "python" else f"{stem}{EXTENSIONS[fmt]}")

    def _format_changed(self) -> None:
        fmt = self.current_format()
        text = self.path_edit.text().strip()
        if not text:
            self.path_edit.setText(str(self.default_path(fmt)))
            return
        # Keep the chosen place and name; only the ending follows the format.
        path = Path(text)
        stem = path.stem if path.suffix.lower() in {e for e in EXTENSIONS.values() if e} else path.name
        self.path_edit.setText(str(path.with_name(stem + EXTENSIONS[fmt])))

    def browse(self) -> None:
        path = self.ask_destination(self.current_format())
        if path is not None:
            self.path_edit.setText(str(path))

    # ------------------------------------------------------------ export
    def destination(self) -> Optional[Path]:
        text = self.path_edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        ending = EXTENSIONS[self.current_format()]
        return path if not ending or path.suffix.lower() == ending else path.with_name(path.name + ending)

    def export(self) -> bool:
        """Export in the chosen format; the engine's message appears in the dialog, a problem as a message box."""
        from ...engine.export import ExportError, export_model  # noqa: PLC0415 - torch, only when exporting

        fmt, path = self.current_format(), self.destination()
        if path is None:
            self.show_error(tr("Nothing exported"), tr("Choose where to save the export first."))
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            shared = self.actions.shared_model()
            text = export_model(shared.model, fmt, path, trained=shared.trained, project=self.document.project)
        except (ShareError, ExportError) as exc:
            problem = sentence(str(exc))
        except Exception as exc:  # noqa: BLE001 - an exporter's own failure (torch, onnx) must not vanish
            # The student gets a plain message; the traceback goes to the log for whoever fixes it.
            log.exception("the %s export to %s failed", fmt, path)
            problem = tr("The {format} export failed ({error}: {details})", format=fmt, error=type(exc).__name__,
                         details=str(exc)[:300])
        else:
            problem = ""
        finally:
            QGuiApplication.restoreOverrideCursor()
        if problem:
            self.show_message(tr("Nothing was exported. {problem}", problem=problem))
            self.show_error(tr("Could not export the network"), problem)
            return False
        if shared.note:
            text = f"{text} {shared.note}"
        remember_folder(EXPORTS, path.parent)   # typed or chosen: the next export starts there
        self.show_message(text)
        # The status bar names the file, as Save does: the dialog above shows the whole path, which would run past
        # the window's edge in the status bar's one line.
        self.actions.message.emit(text.split(". ")[0].replace(str(path), path.name))
        self.exported.emit(fmt)
        return True
