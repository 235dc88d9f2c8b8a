"""The Data panel's downloadable datasets: their entries in the picker, the download, and 'not downloaded yet'."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.i18n import tr
from ..widgets.fitting_combo import SHORT_TEXT_ROLE
from .download_dialog import run_download

if TYPE_CHECKING:
    from .data_panel import DataPanel

# A downloadable dataset's entry in the picker holds "dataset:<key>"; built-in names never hold a colon.
PREFIX = "dataset:"


def _downloads():
    from ...core.data import downloads  # noqa: PLC0415 - the cache folder is looked at only when the panel is built
    return downloads


def dataset_source(key: str) -> dict:
    return {"kind": "dataset", "name": key}


def picker_entry(source: Optional[dict]) -> Optional[str]:
    """What the picker holds for a data source: a built-in's name, "dataset:<key>", or None (a file, or none)."""
    if not isinstance(source, dict) or not isinstance(source.get("name"), str):
        return None
    kind = source.get("kind")
    return source["name"] if kind == "builtin" else PREFIX + source["name"] if kind == "dataset" else None


def entry_text(dataset: Any, downloaded: bool) -> str:
    """'Fashion-MNIST — download (30 MB)' until it is in the cache, then 'Fashion-MNIST (downloaded)'."""
    title = tr(dataset.title)
    if downloaded:
        return tr("{title} (downloaded)", title=title)
    return tr("{title} — download ({size})", title=title, size=_downloads().size_text(dataset.size_bytes))


class DatasetDownloads(QObject):
    """Adds the downloadable datasets to the panel's picker and runs their downloads for it."""

    def __init__(self, panel: "DataPanel", combo: QComboBox) -> None:
        super().__init__(panel)
        self.panel = panel
        self.combo = combo
        for key, dataset in _downloads().DATASETS.items():
            combo.addItem(entry_text(dataset, False), PREFIX + key)
            combo.setItemData(combo.count() - 1, tr(dataset.description), Qt.ItemDataRole.ToolTipRole)
            combo.setItemData(combo.count() - 1, tr(dataset.title), SHORT_TEXT_ROLE)

    def add_widgets(self, box_layout: QVBoxLayout) -> None:
        """The 'not downloaded yet' row and the note line, placed under the picker's other lines."""
        panel = self.panel
        # Shown instead of an error when the project's data is a dataset not downloaded yet (an example).
        self.missing_box = QWidget(panel)
        self.missing_box.setObjectName("notDownloadedBox")
        row = QHBoxLayout(self.missing_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.missing_label = QLabel(self.missing_box)
        self.missing_label.setObjectName("notDownloadedLabel")
        self.missing_label.setWordWrap(True)
        row.addWidget(self.missing_label, 1)
        self.download_button = QPushButton(tr("Download"), self.missing_box)
        self.download_button.setObjectName("downloadButton")
        self.download_button.clicked.connect(self.download_missing)
        row.addWidget(self.download_button, 0, Qt.AlignmentFlag.AlignTop)
        self.missing_box.hide()
        box_layout.addWidget(self.missing_box)
        # One plain line after a download that was cancelled or failed: nothing changed, and why.
        self.note = QLabel(panel)
        self.note.setObjectName("downloadNote")
        self.note.setWordWrap(True)
        self.note.hide()
        box_layout.addWidget(self.note)

    # ------------------------------------------------------------ what the panel shows
    def mark_entries(self) -> None:
        """Each entry says whether its files are in the cache (a download elsewhere changes that)."""
        downloads = _downloads()
        for index in range(self.combo.count()):
            data = self.combo.itemData(index)
            if isinstance(data, str) and data.startswith(PREFIX):
                key = data[len(PREFIX):]
                dataset = downloads.DATASETS.get(key)
                if dataset is not None:
                    self.combo.setItemText(index, entry_text(dataset, downloads.is_downloaded(key)))

    def missing_key(self) -> Optional[str]:
        """The project's dataset when it is one of ours and not downloaded yet, else None."""
        source = self.panel.document.project.data.source
        if not isinstance(source, dict) or source.get("kind") != "dataset":
            return None
        key = source.get("name")
        downloads = _downloads()
        if not isinstance(key, str) or key not in downloads.DATASETS or downloads.is_downloaded(key):
            return None
        return key

    def show_state(self) -> bool:
        """Show 'X is not downloaded yet' with a Download button when that is so; True when it is."""
        key = self.missing_key()
        if key is None:
            self.missing_box.hide()
            return False
        dataset = _downloads().DATASETS[key]
        self.missing_label.setText(tr("{title} is not downloaded yet. It is {size}, downloaded once and kept on "
                                      "this computer.", title=tr(dataset.title),
                                      size=_downloads().size_text(dataset.size_bytes)))
        self.missing_box.show()
        return True

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    # ------------------------------------------------------------ choosing and downloading
    def choose(self, key: str) -> bool:
        """The student picked a downloadable dataset: download it first if needed, then make it the data."""
        downloads = _downloads()
        dataset = downloads.DATASETS[key]
        self.show_note("")
        if not downloads.is_downloaded(key) and not self.download(key):
            self.panel.refresh()   # the picker shows the project's data again
            return False
        return self.panel.choose_source(dataset_source(key), tr("Choose dataset {title}", title=tr(dataset.title)))

    def download_missing(self) -> bool:
        """The Download button of 'not downloaded yet': the project's source stays; the data loads once here."""
        key = self.missing_key()
        if key is None:
            return False
        self.show_note("")
        if not self.download(key):
            return False
        self.panel.session.reload_data()   # same source, now readable: the session loads it and the panel follows
        self.panel.refresh()
        return True

    def download(self, key: str) -> bool:
        """Run the download dialog; True once the files are in the cache. Offline MNIST: files from a folder."""
        downloads = _downloads()
        dataset = downloads.DATASETS[key]
        dialog = run_download(dataset, downloads.dataset_folder(key), self.panel)
        try:
            outcome, message = dialog.outcome, dialog.message
        finally:
            dialog.deleteLater()
        if outcome == "done":
            return True
        if outcome == "folder":
            self.panel.import_idx()   # the MNIST-format import dialog; a source from there replaces the dataset
        elif outcome == "failed":
            self.show_note(message)
        else:
            self.show_note(tr("The download of {title} was cancelled; nothing changed.", title=tr(dataset.title)))
        return False


__all__ = ["DatasetDownloads", "PREFIX", "dataset_source", "entry_text", "picker_entry"]
