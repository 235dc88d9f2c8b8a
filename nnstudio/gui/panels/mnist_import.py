"""One dialog for MNIST-format data: pick the folder with the four standard files (or the files), see what was found."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.data.idx_loader import (
    STANDARD_FILES,
    find_standard_files,
    standard_files_in,
)
from ...core.i18n import N_, tr
from ..widgets import file_dialogs
from ..widgets.wrap_text import wrappable

# The texts below are marked with N_ (defined before a language is chosen) and shown with tr().
IDX_FILTER = N_("MNIST-format files (*-ubyte *.gz *.idx *idx*);;All files (*)")
# What each of the four files is, in the student's words, keyed as the project's data source names them.
FILE_WORDS = {"images": N_("Training images"), "labels": N_("Training labels"), "test_images": N_("Test images"),
              "test_labels": N_("Test labels")}
FOUND = N_("✓ {what}: {file}")
NOT_FOUND = N_("✗ {what}: not found (usually named {name})")
NOTHING_IN_FOLDER = N_("No MNIST-format files are in {folder}. Their names look like train-images-idx3-ubyte "
                       "(or the same with .gz).")
NEED_IMAGES = N_("The training images are missing, so there is nothing to import yet.")
NO_LABELS = N_("The training labels are missing: the images alone can be looked at, but a network needs the labels "
               "to learn from.")
NO_TEST_FILES = N_("The standard test files are not all here, so the test set will be split from the training files "
                   "(the Test share under Split and scaling).")
ALL_FOUND = N_("All four files are here.")
USE_TEST_FILES = N_("Use the standard test files (t10k) as the test set")
USE_TEST_FILES_TIP = N_("On: the t10k files are the test set, as the course does; validation is still split from the "
                        "training files. Off: the test set is split from the training files.")


class MnistImportDialog(QDialog):
    """Asks for MNIST-format files; `source()` is the project's new data source once the student accepts."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("mnistImportDialog")
        self.setWindowTitle(tr("Import MNIST-format data"))
        self.found: dict[str, Path] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Choose the folder that holds the MNIST-format files (as downloaded for MNIST or "
                          "Fashion-MNIST), or choose the files themselves. Files ending in .gz are read as they are."),
                       self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        buttons = QHBoxLayout()
        self.folder_button = QPushButton(tr("Choose a folder…"), self)
        self.folder_button.setObjectName("chooseMnistFolder")
        self.folder_button.clicked.connect(self.choose_folder)
        self.files_button = QPushButton(tr("Choose files…"), self)
        self.files_button.setObjectName("chooseMnistFiles")
        self.files_button.clicked.connect(self.choose_files)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.files_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.file_labels: dict[str, QLabel] = {}
        for role in STANDARD_FILES:
            label = QLabel(self)
            label.setObjectName(f"mnistFile_{role}")
            label.setWordWrap(True)
            layout.addWidget(label)
            self.file_labels[role] = label
        self.summary = QLabel(self)
        self.summary.setObjectName("mnistSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.test_check = QCheckBox(tr(USE_TEST_FILES), self)
        self.test_check.setObjectName("useTestFiles")
        self.test_check.setToolTip(tr(USE_TEST_FILES_TIP))
        layout.addWidget(self.test_check)
        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                           self)
        self.import_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText(tr("Import"))
        self.import_button.setObjectName("mnistImport")
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout.addWidget(self.button_box)
        self.setMinimumWidth(460)
        self.show_found({})

    # ------------------------------------------------------------ asking (tests replace these two)
    def ask_folder(self) -> Optional[Path]:
        return file_dialogs.ask_folder(self, tr("The folder with the MNIST-format files"), file_dialogs.DATA)

    def ask_files(self) -> list[Path]:
        return file_dialogs.ask_open_files(self, tr("MNIST-format files (choose several at once)"), tr(IDX_FILTER),
                                           file_dialogs.DATA)

    def choose_folder(self) -> None:
        folder = self.ask_folder()
        if folder is not None:
            self.show_found(standard_files_in(folder), folder)

    def choose_files(self) -> None:
        files = self.ask_files()
        if files:
            self.show_found(find_standard_files(files))

    # ------------------------------------------------------------ what was found
    def has_test_files(self) -> bool:
        """The test files can be the test set only as a labelled pair beside labelled training files."""
        return all(role in self.found for role in STANDARD_FILES)

    def show_found(self, found: dict[str, Path], folder: Optional[Path] = None) -> None:
        self.found = dict(found)
        for role, label in self.file_labels.items():
            path = self.found.get(role)
            label.setText(tr(FOUND, what=tr(FILE_WORDS[role]), file=path.name) if path is not None
                          else tr(NOT_FOUND, what=tr(FILE_WORDS[role]), name=STANDARD_FILES[role]))
        if folder is not None and not self.found:
            summary = tr(NOTHING_IN_FOLDER, folder=wrappable(str(folder)))   # a long path wraps at its slashes
        elif "images" not in self.found:
            summary = tr(NEED_IMAGES)
        elif "labels" not in self.found:
            summary = tr(NO_LABELS)
        elif not self.has_test_files():
            summary = tr(NO_TEST_FILES)
        else:
            summary = tr(ALL_FOUND)
        self.summary.setText(summary)
        self.test_check.setEnabled(self.has_test_files())
        self.test_check.setChecked(self.has_test_files())  # on by default whenever the t10k pair is here
        self.import_button.setEnabled("images" in self.found)

    def source(self) -> Optional[dict]:
        """The project's data source: every file found, and whether the test files are the test set."""
        if "images" not in self.found:
            return None
        source: dict = {"kind": "idx"}
        for role in STANDARD_FILES:
            if role in self.found:
                source[role] = str(self.found[role].resolve())
        if self.has_test_files():
            source["test_from_files"] = self.test_check.isChecked()
        else:  # a lone test file cannot be a test set: remembering it would only confuse the next reader
            source.pop("test_images", None)
            source.pop("test_labels", None)
        return source
